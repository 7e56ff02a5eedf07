import { Global, Module } from '@nestjs/common';
import { ClockJob } from './clock-job.js';
import { EventRetention } from './event-retention.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';

@Global()
@Module({
  controllers: [EventsController],
  providers: [EventsService, EventRetention, ClockJob],
  exports: [EventsService, ClockJob],
})
export class EventsModule {}
