import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { ENGAGEMENT_STATUSES, type EngagementStatus } from '../engagements/engagement-status.js';
import { CRITICALITIES, type Criticality, Engagement } from '../engagements/engagement.entity.js';

/**
 * What risk is judged from, one row per engagement, written in the transaction of every change
 * to the engagement or anything in it (SPEC §5). Never a level: that is judged on reading.
 */
@Entity('engagement_risk_facts')
export class EngagementRiskFacts {
  @PrimaryColumn({ type: 'uuid' })
  engagementId!: string;

  @OneToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Relation<Engagement>;

  @Column({ type: 'enum', enum: ENGAGEMENT_STATUSES, enumName: 'engagement_status' })
  status!: EngagementStatus;

  @Column({ type: 'date', nullable: true })
  lastSafeHandoverDate!: string | null;

  @Column({ type: 'date', nullable: true })
  finalDueDate!: string | null;

  @Column({ type: 'date', nullable: true })
  finalBaselineDueDate!: string | null;

  @Column({ type: 'date', nullable: true })
  finalCompletedOn!: string | null;

  @Column({ type: 'integer' })
  finalSlipCount!: number;

  /** Open milestones other than the final handover, earliest due first: `[{ id, dueDate }]`. */
  @Column({ type: 'jsonb' })
  openMilestones!: { id: string; dueDate: string }[];

  /** Artifacts not accepted, grouped by their milestone's due date: `[{ dueDate, count }]`. */
  @Column({ type: 'jsonb' })
  unacceptedByDueDate!: { dueDate: string; count: number }[];

  @Column({ type: 'integer' })
  artifactCount!: number;

  @Column({ type: 'integer' })
  acceptedCount!: number;

  @Column({ type: 'integer' })
  rejectedCount!: number;

  @Column({ type: 'integer' })
  recipientCount!: number;

  @Column({ type: 'enum', enum: CRITICALITIES, enumName: 'engagement_criticality' })
  criticality!: Criticality;

  @Column({ type: 'boolean' })
  hasExitPlan!: boolean;

  /**
   * Each current recipient's drills passed without vendor help: `[{ personId, performedOn }]`,
   * newest first. Who is an independent operator follows from it on any date.
   */
  @Column({ type: 'jsonb' })
  operatorEvidence!: { personId: string; performedOn: string }[];

  /** The days of passed exit rehearsals, newest first. */
  @Column({ type: 'jsonb' })
  exitRehearsals!: string[];

  /** Recipients with no learning sprint ending on or before the final handover's due date. */
  @Column({ type: 'integer' })
  recipientsNotUpskilled!: number;
}

/**
 * The judgement of an engagement's facts over time: consecutive segments of days with one
 * level, score and set of signals, derived from the facts by `riskTimeline`. Lists filter and
 * sort by risk on any date with it; `-infinity`/`infinity` bound the first and last segment.
 */
@Entity('risk_timeline')
// Expression and INCLUDE indexes, written by the migration (TypeORM cannot declare them).
@Index('idx_risk_timeline_created', { synchronize: false })
@Index('idx_risk_timeline_score', { synchronize: false })
@Index('idx_risk_timeline_open', { synchronize: false })
export class RiskTimelineSegment {
  @PrimaryColumn({ type: 'uuid' })
  engagementId!: string;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Relation<Engagement>;

  @PrimaryColumn({ type: 'date' })
  validFrom!: string;

  /** The first day after the segment. */
  @Column({ type: 'date' })
  validUntil!: string;

  /** Index in RISK_LEVELS: 0 none … 4 critical. */
  @Column({ type: 'smallint' })
  level!: number;

  @Column({ type: 'smallint' })
  score!: number;

  /** Bit i set when the signal SIGNAL_CODES[i] is raised. */
  @Column({ type: 'integer' })
  signals!: number;

  /** The engagement's creation time: the lists' keyset order. */
  @Column({ type: 'timestamptz', precision: 3 })
  engagementCreatedAt!: Date;

  /** The day the timeline was derived: a segment starting later is a change made by time. */
  @Column({ type: 'date' })
  derivedOn!: string;

  /** The engagement's vendor and whether it is draft or active, for the portfolio's counts. */
  @Column({ type: 'uuid' })
  vendorId!: string;

  @Column({ type: 'boolean' })
  open!: boolean;
}

export const RISK_HISTORY_CAUSES = ['change', 'time'] as const;
export type RiskHistoryCause = (typeof RISK_HISTORY_CAUSES)[number];

/** A change of an engagement's risk level, by a write or by the date (SPEC §5 history). */
@Entity('risk_history')
@Index('idx_risk_history_engagement', ['engagementId', 'at', 'id'])
export class RiskHistoryEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  engagementId!: string;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Relation<Engagement>;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  at!: Date;

  /** The day the judgement changed. */
  @Column({ type: 'date' })
  changedOn!: string;

  @Column({ type: 'varchar', length: 10 })
  fromLevel!: string;

  @Column({ type: 'smallint' })
  fromScore!: number;

  @Column({ type: 'varchar', length: 10 })
  toLevel!: string;

  @Column({ type: 'smallint' })
  toScore!: number;

  @Column({ type: 'text', array: true })
  raised!: string[];

  @Column({ type: 'text', array: true })
  cleared!: string[];

  @Column({ type: 'varchar', length: 10 })
  cause!: RiskHistoryCause;

  /** The `risk.level_changed` event of a change (SPEC §6), once events exist. */
  @Column({ type: 'uuid', nullable: true })
  eventId!: string | null;
}

/** Which rules and policy the stored timelines were derived with; one row. */
@Entity('risk_timeline_state')
export class RiskTimelineState {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  builtAt!: Date;
}
