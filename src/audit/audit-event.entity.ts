import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../auth/role.js';

export const AUDIT_ENTITY_TYPES = [
  'vendor',
  'person',
  'engagement',
  'milestone',
  'artifact',
  'api_key',
  'report',
  'drill',
  'learning_sprint',
] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

/** One change, written in the same transaction as the change itself. */
@Entity('audit_events')
@Index('idx_audit_events_entity', ['entityType', 'entityId', 'at', 'id'])
@Index('idx_audit_events_at', ['at', 'id'])
@Index('idx_audit_events_engagement', ['engagementId'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  at!: Date;

  @Column({ type: 'uuid', nullable: true })
  actorApiKeyId!: string | null;

  @Column({ type: 'varchar', length: 100 })
  actorName!: string;

  @Column({ type: 'varchar', length: 32 })
  actorRole!: Role | 'system';

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 32 })
  entityType!: AuditEntityType;

  @Column({ type: 'uuid' })
  entityId!: string;

  /** The engagement an event belongs to, so product owners can read their own engagements' events. */
  @Column({ type: 'uuid', nullable: true })
  engagementId!: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  changes!: FieldChanges;
}
