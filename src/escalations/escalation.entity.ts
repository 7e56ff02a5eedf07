import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Engagement } from '../engagements/engagement.entity.js';
import type { EventActor } from '../events/event.entity.js';

/**
 * A dependency trap nobody acted on (SPEC §7): raised by the clock, resolved when the level
 * falls below high or the engagement closes. At most one is open per engagement.
 */
@Entity('escalations')
// One open escalation per engagement: a partial unique index, written by the migration.
@Index('uq_escalations_open', { synchronize: false })
@Index('idx_escalations_engagement', ['engagementId', 'raisedAt', 'id'])
export class Escalation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  engagementId!: string;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Engagement;

  /** The level it was raised at. */
  @Column({ type: 'varchar', length: 10 })
  level!: string;

  /** The day the engagement reached that level. */
  @Column({ type: 'date' })
  since!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  raisedAt!: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  resolvedAt!: Date | null;
}

/** "We see it and act": who acknowledged an engagement's risk, why, and until when (SPEC §7). */
@Entity('risk_acknowledgements')
@Index('idx_risk_acknowledgements_engagement', ['engagementId', 'acknowledgedAt', 'id'])
export class RiskAcknowledgement {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  engagementId!: string;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Engagement;

  /** The engagement's level when acknowledged: a rise above it re-arms the grace period. */
  @Column({ type: 'varchar', length: 10 })
  level!: string;

  @Column({ type: 'text' })
  note!: string;

  /** The grace period restarts from this day. */
  @Column({ type: 'date' })
  until!: string;

  @Column({ type: 'jsonb' })
  acknowledgedBy!: EventActor;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  acknowledgedAt!: Date;

  /** The open escalation it acknowledged, if one was open. */
  @Column({ type: 'uuid', nullable: true })
  escalationId!: string | null;

  @ManyToOne(() => Escalation, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'escalation_id' })
  escalation?: Escalation;
}
