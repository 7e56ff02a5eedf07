import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Trim, UUID_LENGTH } from '../../common/dto-helpers.js';
import { PageQuery } from '../../common/pagination.js';

export const PLAYBOOK_KINDS = ['sprint', 'drill'] as const;
export type PlaybookKind = (typeof PLAYBOOK_KINDS)[number];

export const MAX_PLAYBOOK_QUERY_LENGTH = 200;

export class PlaybookQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'Full-text search in web-search syntax: words, "a phrase", or, -not. Results are ranked, best first, with the matching part highlighted',
    example: 'restore backup',
    maxLength: MAX_PLAYBOOK_QUERY_LENGTH,
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(MAX_PLAYBOOK_QUERY_LENGTH, {
    message: `q must be at most ${MAX_PLAYBOOK_QUERY_LENGTH} characters`,
  })
  q?: string;

  @ApiPropertyOptional({
    enum: PLAYBOOK_KINDS,
    description: 'sprint: lessons of completed learning sprints; drill: notes of recorded drills',
    example: 'sprint',
  })
  @IsOptional()
  @IsIn(PLAYBOOK_KINDS, { message: `kind must be one of ${PLAYBOOK_KINDS.join(', ')}` })
  kind?: PlaybookKind;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: UUID_LENGTH,
    description: "Only lessons and notes from this engagement's sprints and drills (its id)",
  })
  @IsOptional()
  @IsUUID('all', { message: 'engagementId must be a UUID' })
  engagementId?: string;
}

export class PlaybookEntry {
  @ApiProperty({ enum: PLAYBOOK_KINDS, example: 'sprint' })
  kind!: PlaybookKind;

  @ApiProperty({
    format: 'uuid',
    description: 'The sprint or drill',
    example: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({
    maxLength: 2000,
    description: "The sprint's goal or the drill's title",
    example: 'Retrain and redeploy the extraction model alone',
  })
  title!: string;

  @ApiProperty({
    maxLength: 20000,
    description: "The sprint's lessons or the drill's notes",
    example: 'Retraining needs the labelled sample from AP first.',
  })
  text!: string;

  @ApiProperty({
    maxLength: 20,
    description: "The sprint's or the drill's outcome",
    example: 'shipped',
  })
  outcome!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When the sprint was completed or the drill recorded',
    example: '2027-02-22T16:00:00.000Z',
  })
  at!: string;

  @ApiPropertyOptional({
    maxLength: 5000,
    description: 'With q: the matching part of the text, each match in <b>…</b>',
    example: 'Retraining needs the labelled sample from AP first; the <b>deploy</b> script…',
  })
  headline?: string;

  @ApiPropertyOptional({
    description: 'With q: how well the entry matches (ts_rank), the order of the results',
    example: 0.0607927,
  })
  rank?: number;
}
