import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Artifact } from '../artifacts/artifact.entity.js';
import { Engagement } from '../engagements/engagement.entity.js';
import { Person } from '../people/person.entity.js';
import { VersionedEntity } from '../database/base-entities.js';

export const DRILL_KINDS = [
  'deploy',
  'restore',
  'incident_response',
  'change',
  'explain',
  'exit_rehearsal',
  'other',
] as const;
export type DrillKind = (typeof DRILL_KINDS)[number];

export const DRILL_STATUSES = ['scheduled', 'recorded'] as const;
export type DrillStatus = (typeof DRILL_STATUSES)[number];

export const DRILL_OUTCOMES = ['passed', 'partial', 'failed'] as const;
export type DrillOutcome = (typeof DRILL_OUTCOMES)[number];

export const VENDOR_ASSISTANCE_LEVELS = ['none', 'advice', 'hands_on'] as const;
export type VendorAssistance = (typeof VENDOR_ASSISTANCE_LEVELS)[number];

/**
 * Evidence that internal people can operate the system without the vendor (SPEC §8): planned,
 * then recorded once with its outcome; a recorded drill never changes.
 */
@Entity('drills')
@Index('idx_drills_engagement', ['engagementId', 'createdAt', 'id'])
// Full-text search of recorded drills' notes (the playbook): an expression index, by the migration.
@Index('idx_drills_notes_search', { synchronize: false })
export class Drill extends VersionedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  engagementId!: string;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Relation<Engagement>;

  @Column({ type: 'enum', enum: DRILL_KINDS, enumName: 'drill_kind' })
  kind!: DrillKind;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  scenario!: string;

  @Column({ type: 'date', nullable: true })
  scheduledOn!: string | null;

  @Column({ type: 'enum', enum: DRILL_STATUSES, enumName: 'drill_status', default: 'scheduled' })
  status!: DrillStatus;

  @Column({ type: 'enum', enum: DRILL_OUTCOMES, enumName: 'drill_outcome', nullable: true })
  outcome!: DrillOutcome | null;

  @Column({ type: 'date', nullable: true })
  performedOn!: string | null;

  @Column({
    type: 'enum',
    enum: VENDOR_ASSISTANCE_LEVELS,
    enumName: 'drill_vendor_assistance',
    nullable: true,
  })
  vendorAssistance!: VendorAssistance | null;

  @Column({ type: 'integer', nullable: true })
  durationMinutes!: number | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  evidenceUrl!: string | null;

  @Column({ type: 'uuid', nullable: true })
  observedById!: string | null;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'observed_by_id' })
  observedBy?: Relation<Person>;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  recordedAt!: Date | null;
}

/** A recipient who takes part in a drill. */
@Entity('drill_participants')
export class DrillParticipant {
  @Column({ type: 'uuid', primary: true })
  drillId!: string;

  @Index('idx_drill_participants_person')
  @Column({ type: 'uuid', primary: true })
  personId!: string;

  @ManyToOne(() => Drill, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'drill_id' })
  drill?: Relation<Drill>;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id' })
  person?: Relation<Person>;
}

/** A knowledge-transfer artifact a drill exercises (the runbook it follows, say). */
@Entity('drill_artifacts')
export class DrillArtifact {
  @Column({ type: 'uuid', primary: true })
  drillId!: string;

  @Index('idx_drill_artifacts_artifact')
  @Column({ type: 'uuid', primary: true })
  artifactId!: string;

  @ManyToOne(() => Drill, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'drill_id' })
  drill?: Relation<Drill>;

  @ManyToOne(() => Artifact, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'artifact_id' })
  artifact?: Relation<Artifact>;
}
