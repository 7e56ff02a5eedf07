import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { HostResolver, WebhookSender } from './webhook-sender.js';

@Module({
  controllers: [WebhookEndpointsController],
  providers: [WebhookEndpointsService, WebhookDispatcher, WebhookSender, HostResolver],
})
export class WebhooksModule {}
