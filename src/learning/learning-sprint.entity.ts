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

export const SPRINT_STATUSES = ['planned', 'completed'] as const;
export type SprintStatus = (typeof SPRINT_STATUSES)[number];

export const SPRINT_OUTCOMES = ['shipped', 'partial', 'not_shipped'] as const;
export type SprintOutcome = (typeof SPRINT_OUTCOMES)[number];

/**
 * A few weeks in which knowledge recipients learn by building a real deliverable (a milestone)
 * with a mentor (SPEC §9); its lessons become the internal playbook.
 */
@Entity('learning_sprints')
@Index('idx_learning_sprints_engagement', ['engagementId', 'createdAt', 'id'])
@Index('idx_learning_sprints_mentor', ['mentorId', 'startsOn'])
// Full-text search of the lessons of completed sprints: an expression index, by the migration.
@Index('idx_learning_sprints_lessons_search', { synchronize: false })
export class LearningSprint extends VersionedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  engagementId!: string;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Relation<Engagement>;

  @Column({ type: 'uuid' })
  milestoneId!: string;

  @ManyToOne(() => Milestone, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'milestone_id' })
  milestone?: Relation<Milestone>;

  @Column({ type: 'text' })
  goal!: string;

  @Column({ type: 'uuid' })
  mentorId!: string;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'mentor_id' })
  mentor?: Relation<Person>;

  @Column({ type: 'date' })
  startsOn!: string;

  @Column({ type: 'date' })
  endsOn!: string;

  @Column({
    type: 'enum',
    enum: SPRINT_STATUSES,
    enumName: 'learning_sprint_status',
    default: 'planned',
  })
  status!: SprintStatus;

  @Column({
    type: 'enum',
    enum: SPRINT_OUTCOMES,
    enumName: 'learning_sprint_outcome',
    nullable: true,
  })
  outcome!: SprintOutcome | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  evidenceUrl!: string | null;

  @Column({ type: 'text', nullable: true })
  lessons!: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  completedAt!: Date | null;
}

/** A knowledge recipient who learns in a sprint. */
@Entity('learning_sprint_learners')
export class LearningSprintLearner {
  @Column({ type: 'uuid', primary: true })
  sprintId!: string;

  @Index('idx_learning_sprint_learners_person')
  @Column({ type: 'uuid', primary: true })
  personId!: string;

  @ManyToOne(() => LearningSprint, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sprint_id' })
  sprint?: Relation<LearningSprint>;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id' })
  person?: Relation<Person>;
}
