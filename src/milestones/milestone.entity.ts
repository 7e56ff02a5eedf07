import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Engagement } from '../engagements/engagement.entity.js';
import { VersionedEntity } from '../database/base-entities.js';

export const MILESTONE_KINDS = ['delivery', 'handover', 'final_handover'] as const;
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];

@Entity('milestones')
@Index('idx_milestones_engagement', ['engagementId', 'dueDate'])
@Index('uq_milestones_final_handover', ['engagementId'], {
  unique: true,
  where: `"kind" = 'final_handover'`,
})
export class Milestone extends VersionedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  engagementId!: string;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Relation<Engagement>;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'enum', enum: MILESTONE_KINDS, enumName: 'milestone_kind' })
  kind!: MilestoneKind;

  @Column({ type: 'date' })
  dueDate!: string;

  /** The due date when the engagement was activated (or when created after it); then fixed. */
  @Column({ type: 'date', nullable: true })
  baselineDueDate!: string | null;

  @Column({ type: 'date', nullable: true })
  completedOn!: string | null;
}

/** The ledger of due-date changes after activation; rows are only ever added. */
@Entity('milestone_date_changes')
@Index('idx_milestone_date_changes_milestone', ['milestoneId', 'changedAt'])
export class MilestoneDateChange {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  milestoneId!: string;

  @ManyToOne(() => Milestone, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'milestone_id' })
  milestone?: Relation<Milestone>;

  @Column({ type: 'uuid' })
  engagementId!: string;

  @Column({ type: 'date' })
  fromDate!: string;

  @Column({ type: 'date' })
  toDate!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'uuid' })
  changedByApiKeyId!: string;

  @Column({ type: 'varchar', length: 100 })
  changedByName!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  changedAt!: Date;
}
