import { VersionedResponse } from '../../common/versioned.response.js';
import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { DATE_LENGTH, IsEvidenceUrl, Trim, UUID_LENGTH } from '../../common/dto-helpers.js';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import {
  type LearningSprint,
  SPRINT_OUTCOMES,
  SPRINT_STATUSES,
  type SprintOutcome,
  type SprintStatus,
} from '../learning-sprint.entity.js';

export const MIN_LESSONS_LENGTH = 20;

const PERSON_ID = '1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const MENTOR_ID = '9d0e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a';

export class CreateLearningSprintDto {
  @ApiProperty({
    example: 'Sam and Aiko can retrain and redeploy the extraction model on their own',
    maxLength: 2000,
  })
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'goal is required' })
  @MaxLength(2000)
  goal!: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The deliverable the sprint builds towards: a milestone of this engagement',
    example: '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e',
    maxLength: UUID_LENGTH,
  })
  @IsUUID('all', { message: 'milestoneId must be a UUID' })
  milestoneId!: string;

  @ApiProperty({
    format: 'uuid',
    description: 'Who teaches: at most 3 distinct learners across their overlapping sprints',
    example: MENTOR_ID,
    maxLength: UUID_LENGTH,
  })
  @IsUUID('all', { message: 'mentorId must be a UUID' })
  mentorId!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid', maxLength: UUID_LENGTH },
    description: 'Knowledge recipients of the engagement who learn',
    example: [PERSON_ID],
    minItems: 1,
    maxItems: 50,
  })
  @IsArray({ message: 'learnerIds must be an array' })
  @ArrayMinSize(1, { message: 'learnerIds must name at least one learner' })
  @ArrayMaxSize(50)
  @ArrayUnique({ message: 'learnerIds must not repeat a person' })
  @IsUUID('all', { each: true, message: 'learnerIds must contain UUIDs' })
  learnerIds!: string[];

  @ApiProperty({ format: 'date', example: '2027-01-11', maxLength: DATE_LENGTH })
  @IsCalendarDate()
  startsOn!: string;

  @ApiProperty({
    format: 'date',
    description:
      'SPRINT_MIN_DAYS to SPRINT_MAX_DAYS (28–56) after startsOn, on or before the milestone is due',
    example: '2027-02-22',
    maxLength: DATE_LENGTH,
  })
  @IsCalendarDate()
  endsOn!: string;
}

export class CompleteLearningSprintDto {
  @ApiProperty({ enum: SPRINT_OUTCOMES, example: 'shipped' })
  @IsIn(SPRINT_OUTCOMES, { message: `outcome must be one of ${SPRINT_OUTCOMES.join(', ')}` })
  outcome!: SprintOutcome;

  @ApiProperty({
    example: 'https://git.example.com/finance/extraction/pull/42',
    description: 'What was built: the merge request, the release, the recording',
    maxLength: 2048,
  })
  @IsEvidenceUrl()
  evidenceUrl!: string;

  @ApiProperty({
    example:
      'Retraining needs the labelled sample from AP first; the deploy script assumes a warm cache, so run it twice.',
    description: 'What the sprint taught: it goes into the playbook',
    minLength: MIN_LESSONS_LENGTH,
    maxLength: 20000,
  })
  @Trim()
  @IsString({ message: 'lessons must be a string' })
  @MinLength(MIN_LESSONS_LENGTH, {
    message: `lessons must be at least ${MIN_LESSONS_LENGTH} characters`,
  })
  @MaxLength(20000)
  lessons!: string;
}

export class LearningSprintResponse extends VersionedResponse {
  @ApiProperty({ format: 'uuid', example: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ format: 'uuid', example: '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e' })
  milestoneId!: string;

  @ApiProperty({ maxLength: 2000, example: 'Retrain and redeploy the extraction model alone' })
  goal!: string;

  @ApiProperty({ format: 'uuid', example: MENTOR_ID })
  mentorId!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    maxItems: 50,
    example: [PERSON_ID],
  })
  learnerIds!: string[];

  @ApiProperty({ format: 'date', example: '2027-01-11' })
  startsOn!: string;

  @ApiProperty({ format: 'date', example: '2027-02-22' })
  endsOn!: string;

  @ApiProperty({ enum: SPRINT_STATUSES, example: 'planned' })
  status!: SprintStatus;

  @ApiProperty({ enum: SPRINT_OUTCOMES, nullable: true, example: null })
  outcome!: SprintOutcome | null;

  @ApiProperty({ nullable: true, type: String, maxLength: 2048, example: null })
  evidenceUrl!: string | null;

  @ApiProperty({ nullable: true, type: String, maxLength: 20000, example: null })
  lessons!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null })
  completedAt!: string | null;

  static from(sprint: LearningSprint, learnerIds: string[]): LearningSprintResponse {
    return {
      id: sprint.id,
      engagementId: sprint.engagementId,
      milestoneId: sprint.milestoneId,
      goal: sprint.goal,
      mentorId: sprint.mentorId,
      learnerIds,
      startsOn: sprint.startsOn,
      endsOn: sprint.endsOn,
      status: sprint.status,
      outcome: sprint.outcome,
      evidenceUrl: sprint.evidenceUrl,
      lessons: sprint.lessons,
      completedAt: sprint.completedAt?.toISOString() ?? null,
      ...VersionedResponse.fieldsOf(sprint),
    };
  }
}
