import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { DomainEvent } from '../events/event.entity.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { CreatedAtEntity } from '../database/base-entities.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What the last attempt got back: a response, or why none came. */
export type LastResponse =
  { status: number; body: string; latencyMs: number } | { error: string; latencyMs: number };

/**
 * One event to one endpoint (SPEC §6 "Deliveries"), created in the transaction that wrote
 * the event. `nextAttemptAt` is both the retry time and the lease of the instance that claimed
 * it: an instance that dies mid-attempt leaves it to be claimed again when the lease ends.
 */
@Entity('webhook_deliveries')
@Unique('uq_webhook_deliveries_message', ['endpointId', 'messageId'])
@Index('idx_webhook_deliveries_endpoint', ['endpointId', 'createdAt', 'id'])
// The due deliveries, partial on `status = 'pending'`: written by the migration.
@Index('idx_webhook_deliveries_due', { synchronize: false })
export class WebhookDelivery extends CreatedAtEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: WebhookEndpoint;

  /** The feed event delivered; null for a ping, which is not in the feed. */
  @Column({ type: 'uuid', nullable: true })
  eventId!: string | null;

  @ManyToOne(() => DomainEvent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: DomainEvent;

  /** `webhook-id`: the event's id, the same on every retry. */
  @Column({ type: 'uuid' })
  messageId!: string;

  @Column({ type: 'varchar', length: 64 })
  eventType!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  /** Attempts started, including one in flight. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  lastResponse!: LastResponse | null;
}
