import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Engagement } from '../engagements/engagement.entity.js';
import { Milestone } from '../milestones/milestone.entity.js';
import { Person } from '../people/person.entity.js';
import { VersionedEntity } from '../database/base-entities.js';

export const ARTIFACT_KINDS = [
  'documentation',
  'runbook',
  'architecture_decision_record',
  'code_walkthrough',
  'training_session',
  'recorded_demo',
  'source_code_access',
  'operational_access',
  'test_suite',
  'other',
] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export const ARTIFACT_STATUSES = ['required', 'delivered', 'accepted', 'rejected'] as const;
export type ArtifactStatus = (typeof ARTIFACT_STATUSES)[number];

/** A knowledge-transfer deliverable: delivered by the vendor, accepted by an internal person. */
@Entity('artifacts')
@Index('idx_artifacts_engagement', ['engagementId', 'createdAt', 'id'])
export class Artifact extends VersionedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  engagementId!: string;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Relation<Engagement>;

  @Index('idx_artifacts_milestone')
  @Column({ type: 'uuid' })
  milestoneId!: string;

  @ManyToOne(() => Milestone, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'milestone_id' })
  milestone?: Relation<Milestone>;

  @Column({ type: 'enum', enum: ARTIFACT_KINDS, enumName: 'artifact_kind' })
  kind!: ArtifactKind;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({
    type: 'enum',
    enum: ARTIFACT_STATUSES,
    enumName: 'artifact_status',
    default: 'required',
  })
  status!: ArtifactStatus;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  evidenceUrl!: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  deliveredAt!: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  acceptedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  acceptedById!: string | null;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'accepted_by_id' })
  acceptedBy?: Relation<Person>;

  @Column({ type: 'text', nullable: true })
  rejectionReason!: string | null;

  /** How often the artifact was rejected: the vendor's track record keeps it. */
  @Column({ type: 'integer', default: 0 })
  rejectionCount!: number;
}
