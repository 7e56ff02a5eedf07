import { Column, Entity, Generated, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../auth/role.js';
import type { EventType } from './event-types.js';

export interface EventActor {
  apiKeyId: string | null;
  name: string;
  role: Role | 'system';
}

/**
 * Something integrations care about (SPEC §6), written in the transaction of the change it
 * tells of: the outbox the feed and (later) webhooks read. `seq` follows commit order.
 */
@Entity('events')
@Index('idx_events_engagement', ['engagementId', 'seq'])
@Index('idx_events_vendor', ['vendorId', 'seq'])
@Index('idx_events_type', ['type', 'seq'])
@Index('idx_events_occurred', ['occurredAt'])
export class DomainEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_events_seq', { unique: true })
  @Column({ type: 'bigint' })
  @Generated('increment')
  seq!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: EventType;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  occurredAt!: Date;

  @Column({ type: 'uuid', nullable: true })
  engagementId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  vendorId!: string | null;

  @Column({ type: 'jsonb' })
  actor!: EventActor;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;
}
