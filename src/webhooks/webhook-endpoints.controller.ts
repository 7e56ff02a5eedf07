import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { ApiIfMatch, IfMatch } from '../common/concurrency.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page, PageQuery } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { EVENT_DATA_MODELS } from '../events/dto/event-payloads.dto.js';
import {
  CreateWebhookEndpointDto,
  ListDeliveriesQuery,
  UpdateWebhookEndpointDto,
  WebhookDeliveryResponse,
  WebhookEndpointResponse,
  WebhookEndpointWithSecretResponse,
} from './dto/webhook-endpoint.dto.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

@ApiTags('Webhooks')
@ApiExtraModels(...EVENT_DATA_MODELS)
@Roles('admin', 'integration')
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe a URL to events; the signing secret is returned this once',
    description:
      'Each matching event is POSTed to the URL as a `WebhookEvent` (see components: one schema per type, discriminated by `type`), signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retried with backoff until a 2xx. The URL is checked now and on the resolved address at every delivery.',
  })
  @ApiCreatedResponse({
    type: WebhookEndpointWithSecretResponse,
    description: 'The endpoint with its signing secret, shown only here and on rotation',
  })
  @ApiProblems(400)
  create(
    @CurrentActor() actor: Actor,
    @Body() input: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointWithSecretResponse> {
    return this.endpoints.create(actor, input);
  }

  @Get()
  @ApiOperation({
    summary: 'List webhook endpoints, oldest first',
    description: 'An integration key sees the endpoints it created; an admin sees all.',
  })
  @ApiPageResponse(WebhookEndpointResponse, 'A page of webhook endpoints')
  @ApiProblems(400)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: PageQuery,
  ): Promise<Page<WebhookEndpointResponse>> {
    return this.endpoints.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a webhook endpoint (never its secret)',
    description:
      'An integration key sees the endpoints it created; an admin sees all. The signing secret is returned only on creation and rotation.',
  })
  @ApiOkResponse({ type: WebhookEndpointResponse, description: 'The webhook endpoint' })
  @ApiProblems(400, 404)
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<WebhookEndpointResponse> {
    return this.endpoints.get(actor, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a webhook endpoint; enabled=true re-enables a disabled one',
    description: 'Re-enabling clears `disabledReason` and delivers only the events from then on.',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: WebhookEndpointResponse, description: 'The updated webhook endpoint' })
  @ApiProblems(400, 404, 412)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: UpdateWebhookEndpointDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<WebhookEndpointResponse> {
    return this.endpoints.update(actor, id, input, ifMatch);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a webhook endpoint and its delivery log',
    description:
      'No delivery is attempted after the deletion; the events stay in the feed (GET /v1/events).',
  })
  @ApiIfMatch()
  @ApiNoContentResponse({ description: 'Deleted; nothing more is delivered to it' })
  @ApiProblems(400, 404, 412)
  async remove(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<void> {
    await this.endpoints.remove(actor, id, ifMatch);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace the signing secret; the old one also signs for 24 hours',
    description:
      'For 24 hours every delivery carries two signatures, by the new and the old secret, so the receiver can switch without losing a delivery.',
  })
  @ApiOkResponse({
    type: WebhookEndpointWithSecretResponse,
    description: 'The endpoint with its new signing secret, shown only here',
  })
  @ApiProblems(400, 404)
  rotateSecret(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
  ): Promise<WebhookEndpointWithSecretResponse> {
    return this.endpoints.rotateSecret(actor, id);
  }

  @Post(':id/ping')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a webhook.ping to this endpoint alone',
    description:
      'Queues a `webhook.ping` (data `{ endpointId }`) whatever the endpoint subscribes to; it is not in the event feed. Follow it in the deliveries.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponse, description: 'The queued delivery' })
  @ApiProblems(400, 404, 409)
  ping(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
  ): Promise<WebhookDeliveryResponse> {
    return this.endpoints.ping(actor, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'The delivery log of an endpoint, newest first',
    description:
      'One entry per event and endpoint: its state, attempts, next attempt and what the last attempt got back.',
  })
  @ApiPageResponse(WebhookDeliveryResponse, 'A page of deliveries')
  @ApiProblems(400, 404)
  deliveries(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Query() query: ListDeliveriesQuery,
  ): Promise<Page<WebhookDeliveryResponse>> {
    return this.endpoints.deliveries(actor, id, query);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Queue a failed delivery again',
    description: 'Starts its attempts afresh; 409 unless the delivery is `failed`.',
  })
  @ApiOkResponse({
    type: WebhookDeliveryResponse,
    description: 'The delivery, queued for a fresh round of attempts',
  })
  @ApiProblems(400, 404, 409)
  retry(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @UuidParam('deliveryId') deliveryId: string,
  ): Promise<WebhookDeliveryResponse> {
    return this.endpoints.retry(actor, id, deliveryId);
  }
}
