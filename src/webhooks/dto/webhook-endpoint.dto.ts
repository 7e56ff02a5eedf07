import { VersionedResponse } from '../../common/versioned.response.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { Nullable, Optional, Trim, UUID_LENGTH } from '../../common/dto-helpers.js';
import { PageQuery } from '../../common/pagination.js';
import { EVENT_TYPES } from '../../events/event-types.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../webhook-delivery.entity.js';
import type { LastResponse, WebhookDelivery } from '../webhook-delivery.entity.js';
import { DISABLED_REASONS, type WebhookEndpoint } from '../webhook-endpoint.entity.js';

/** What an endpoint may subscribe to: every feed type, or `*` for all of them. */
export const SUBSCRIBABLE_TYPES = [...EVENT_TYPES, '*'] as const;

const SECRET_PATTERN = '^whsec_[A-Za-z0-9+/]{43}=$';

export class CreateWebhookEndpointDto {
  @ApiProperty({
    format: 'uri',
    maxLength: 2048,
    example: 'https://hooks.example.com/handover',
    description:
      'Absolute https URL (http only when WEBHOOK_ALLOW_HTTP=true), without credentials; never link-local, unspecified or (unless WEBHOOK_ALLOW_LOOPBACK=true) loopback addresses, checked again on the resolved address at every delivery',
  })
  @Trim()
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 500,
    example: 'Slack bridge of the platform team',
  })
  @Nullable()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiProperty({
    enum: SUBSCRIBABLE_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: SUBSCRIBABLE_TYPES.length,
    uniqueItems: true,
    example: ['milestone.date_changed', 'risk.level_changed'],
    description: 'The event types to deliver; `*` for all',
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'eventTypes must name at least one type, or "*"' })
  @ArrayMaxSize(SUBSCRIBABLE_TYPES.length)
  @ArrayUnique({ message: 'eventTypes must not repeat a type' })
  @IsIn(SUBSCRIBABLE_TYPES, {
    each: true,
    message: `eventTypes must hold only ${SUBSCRIBABLE_TYPES.join(', ')}`,
  })
  eventTypes!: string[];

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'uuid',
    maxLength: UUID_LENGTH,
    description: 'Only events of this engagement',
  })
  @Nullable()
  @IsUUID('all', { message: 'engagementId must be a UUID' })
  engagementId?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'uuid',
    maxLength: UUID_LENGTH,
    description: "Only events of this vendor's engagements",
  })
  @Nullable()
  @IsUUID('all', { message: 'vendorId must be a UUID' })
  vendorId?: string | null;

  @ApiPropertyOptional({
    default: true,
    description:
      'false pauses deliveries; true again delivers only the events from then on, and clears `disabledReason`',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** Fields to change; absent fields stay, `null` clears an optional one. */
export class UpdateWebhookEndpointDto extends CreateWebhookEndpointDto {
  @ApiPropertyOptional({
    format: 'uri',
    maxLength: 2048,
    example: 'https://hooks.example.com/handover',
  })
  @Optional()
  override url!: string;

  @ApiPropertyOptional({
    enum: SUBSCRIBABLE_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: SUBSCRIBABLE_TYPES.length,
    uniqueItems: true,
    example: ['*'],
  })
  @Optional()
  override eventTypes!: string[];
}

export class WebhookEndpointResponse extends VersionedResponse {
  @ApiProperty({ format: 'uuid', example: '0c5e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a' })
  id!: string;

  @ApiProperty({ format: 'uri', maxLength: 2048, example: 'https://hooks.example.com/handover' })
  url!: string;

  @ApiProperty({ nullable: true, type: String, maxLength: 500, example: 'Slack bridge' })
  description!: string | null;

  @ApiProperty({
    enum: SUBSCRIBABLE_TYPES,
    isArray: true,
    maxItems: SUBSCRIBABLE_TYPES.length,
    example: ['milestone.date_changed', 'risk.level_changed'],
  })
  eventTypes!: string[];

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  engagementId!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  vendorId!: string | null;

  @ApiProperty({ example: true })
  enabled!: boolean;

  @ApiProperty({
    nullable: true,
    enum: DISABLED_REASONS,
    type: String,
    description:
      '`gone`: the receiver answered 410; `failing`: WEBHOOK_DISABLE_AFTER deliveries in a row failed',
  })
  disabledReason!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Until then deliveries are also signed with the secret before the last rotation',
  })
  previousSecretExpiresAt!: string | null;

  static from(endpoint: WebhookEndpoint): WebhookEndpointResponse {
    return {
      id: endpoint.id,
      url: endpoint.url,
      description: endpoint.description,
      eventTypes: endpoint.eventTypes,
      engagementId: endpoint.engagementId,
      vendorId: endpoint.vendorId,
      enabled: endpoint.enabled,
      disabledReason: endpoint.disabledReason,
      previousSecretExpiresAt: endpoint.previousSecretExpiresAt?.toISOString() ?? null,
      ...VersionedResponse.fieldsOf(endpoint),
    };
  }
}

/** An endpoint with its signing secret: answered once, on create and on rotation. */
export class WebhookEndpointWithSecretResponse extends WebhookEndpointResponse {
  @ApiProperty({
    pattern: SECRET_PATTERN,
    minLength: 50,
    maxLength: 50,
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw6cIjlyQuyQU=',
    description:
      'Shown this once: keep it in the receiver, which verifies `webhook-signature` with it (Standard Webhooks)',
  })
  secret!: string;
}

export class WebhookDeliveryResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The feed event; null for a ping',
  })
  eventId!: string | null;

  @ApiProperty({ format: 'uuid', description: 'The `webhook-id` header, the same on every retry' })
  messageId!: string;

  @ApiProperty({ enum: [...EVENT_TYPES, 'webhook.ping'], example: 'milestone.date_changed' })
  eventType!: string;

  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'pending' })
  status!: DeliveryStatus;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 1000, example: 2 })
  attempts!: number;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastAttemptAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When the next attempt is due (pending only)',
  })
  nextAttemptAt!: string | null;

  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: false,
    required: ['latencyMs'],
    properties: {
      status: { type: 'integer', format: 'int32', minimum: 100, maximum: 599, example: 503 },
      body: { type: 'string', maxLength: 4096, description: 'The first KiB of the body' },
      error: {
        type: 'string',
        maxLength: 1000,
        example: 'timed out after 10000 ms',
        description: 'Why no response came: a timeout, a refused connection, a forbidden address',
      },
      latencyMs: { type: 'integer', format: 'int32', minimum: 0, maximum: 3_600_000, example: 42 },
    },
    description:
      'What the last attempt got back: a status and body, or an error; null before the first',
  })
  lastResponse!: LastResponse | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  static from(delivery: WebhookDelivery): WebhookDeliveryResponse {
    return {
      id: delivery.id,
      eventId: delivery.eventId,
      messageId: delivery.messageId,
      eventType: delivery.eventType,
      status: delivery.status,
      attempts: delivery.attempts,
      lastAttemptAt: delivery.lastAttemptAt?.toISOString() ?? null,
      nextAttemptAt:
        delivery.status === 'pending' ? (delivery.nextAttemptAt?.toISOString() ?? null) : null,
      lastResponse: delivery.lastResponse,
      createdAt: delivery.createdAt.toISOString(),
    };
  }
}

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, description: 'Only deliveries in this state' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;
}
