import { ApiProperty, PickType } from '@nestjs/swagger';
import { DrillResponse } from '../../drills/dto/drill.dto.js';
import { ENGAGEMENT_STATUSES, type EngagementStatus } from '../../engagements/engagement-status.js';
import { LearningSprintResponse } from './learning-sprint.dto.js';

export const PATH_LIST_LIMIT = 500;

export class PathSprint extends LearningSprintResponse {
  @ApiProperty({ enum: ['learner', 'mentor'], example: 'learner' })
  role!: 'learner' | 'mentor';
}

/** A drill the person took part in and how it went. */
export class PathDrill extends PickType(DrillResponse, [
  'id',
  'engagementId',
  'kind',
  'title',
  'outcome',
  'performedOn',
  'vendorAssistance',
] as const) {}

export class PathEngagement {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ maxLength: 200, example: 'Invoice data extraction' })
  title!: string;

  @ApiProperty({ enum: ENGAGEMENT_STATUSES, example: 'active' })
  status!: EngagementStatus;

  @ApiProperty({
    description:
      'An independent operator today (SPEC §8): only recipients are, so every engagement here has the person as a recipient',
    example: false,
  })
  independentOperator!: boolean;

  @ApiProperty({ nullable: true, type: String, format: 'date', example: '2027-04-28' })
  finalHandoverDueDate!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date', example: null })
  finalHandoverCompletedOn!: string | null;
}

export class LearningPathResponse {
  @ApiProperty({ format: 'uuid', example: '1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' })
  personId!: string;

  @ApiProperty({
    type: [PathSprint],
    maxItems: PATH_LIST_LIMIT,
    description: 'Sprints as learner or mentor, latest start first',
  })
  sprints!: PathSprint[];

  @ApiProperty({
    type: [PathDrill],
    maxItems: PATH_LIST_LIMIT,
    description: 'Drills taken part in, newest first',
  })
  drills!: PathDrill[];

  @ApiProperty({
    type: [PathEngagement],
    maxItems: PATH_LIST_LIMIT,
    description: 'Engagements where the person is a knowledge recipient, next handover first',
  })
  engagements!: PathEngagement[];
}
