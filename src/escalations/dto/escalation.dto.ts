import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { DATE_LENGTH, Trim } from '../../common/dto-helpers.js';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import { PageQuery } from '../../common/pagination.js';
import { RISK_LEVELS } from '../../risk/assess-risk.js';
import type { Escalation, RiskAcknowledgement } from '../escalation.entity.js';

export const MIN_NOTE_LENGTH = 10;
export const MAX_ACKNOWLEDGE_DAYS = 30;
export const DEFAULT_ACKNOWLEDGE_DAYS = 14;

export class AcknowledgeRiskDto {
  @ApiProperty({
    minLength: MIN_NOTE_LENGTH,
    maxLength: 2000,
    example: 'Vendor adds a second engineer from Monday; KT sessions re-planned with Priya',
    description: 'What is being done about the risk, for the audit trail and the weekly report',
  })
  @Trim()
  @IsString()
  @MinLength(MIN_NOTE_LENGTH, {
    message: `note must say what is being done, in at least ${MIN_NOTE_LENGTH} characters`,
  })
  @MaxLength(2000)
  note!: string;

  @ApiPropertyOptional({
    format: 'date',
    maxLength: DATE_LENGTH,
    example: '2026-12-15',
    description: `Until when the risk is in hand (at most ${MAX_ACKNOWLEDGE_DAYS} days ahead; default ${DEFAULT_ACKNOWLEDGE_DAYS}): the grace period restarts from this day`,
  })
  @IsOptional()
  @IsCalendarDate()
  until?: string;
}

export class AcknowledgementResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: RISK_LEVELS, description: 'The level when acknowledged' })
  level!: string;

  @ApiProperty({ maxLength: 2000, example: 'Vendor adds a second engineer from Monday' })
  note!: string;

  @ApiProperty({ format: 'date', maxLength: DATE_LENGTH, example: '2026-12-15' })
  until!: string;

  @ApiProperty({ format: 'date-time' })
  acknowledgedAt!: string;

  @ApiProperty({ maxLength: 100, example: 'Priya (product owner)', description: 'The API key' })
  acknowledgedBy!: string;

  static from(acknowledgement: RiskAcknowledgement): AcknowledgementResponse {
    return {
      id: acknowledgement.id,
      level: acknowledgement.level,
      note: acknowledgement.note,
      until: acknowledgement.until,
      acknowledgedAt: acknowledgement.acknowledgedAt.toISOString(),
      acknowledgedBy: acknowledgement.acknowledgedBy.name,
    };
  }
}

export class EscalationResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  engagementId!: string;

  @ApiProperty({ enum: RISK_LEVELS, example: 'high', description: 'The level it was raised at' })
  level!: string;

  @ApiProperty({
    format: 'date',
    maxLength: DATE_LENGTH,
    description: 'The day the engagement reached that level',
  })
  since!: string;

  @ApiProperty({ format: 'date-time' })
  raisedAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  acknowledgedAt!: string | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When the level fell below high or the engagement closed',
  })
  resolvedAt!: string | null;

  static from(escalation: Escalation): EscalationResponse {
    return {
      id: escalation.id,
      engagementId: escalation.engagementId,
      level: escalation.level,
      since: escalation.since,
      raisedAt: escalation.raisedAt.toISOString(),
      acknowledgedAt: escalation.acknowledgedAt?.toISOString() ?? null,
      resolvedAt: escalation.resolvedAt?.toISOString() ?? null,
    };
  }
}

/** What an acknowledgement answers: where the engagement stands on escalation now. */
export class EscalationStateResponse {
  @ApiProperty({ format: 'uuid' })
  engagementId!: string;

  @ApiProperty({ enum: RISK_LEVELS, example: 'high', description: "Today's level" })
  level!: string;

  @ApiProperty({ type: AcknowledgementResponse, description: 'The acknowledgement just recorded' })
  acknowledgement!: AcknowledgementResponse;

  @ApiPropertyOptional({
    type: EscalationResponse,
    description: 'The open escalation, now acknowledged; absent when none is open',
  })
  openEscalation?: EscalationResponse;

  @ApiProperty({
    format: 'date',
    maxLength: DATE_LENGTH,
    nullable: true,
    type: String,
    example: '2026-12-22',
    description:
      'The day it is escalated (again) if it stays at this level without another acknowledgement; null below high',
  })
  escalatesOn!: string | null;
}

export const ESCALATION_STATUSES = ['open', 'resolved'] as const;

export class ListEscalationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ESCALATION_STATUSES, description: 'Only open or only resolved' })
  @IsOptional()
  @IsIn(ESCALATION_STATUSES, { message: 'status must be open or resolved' })
  status?: (typeof ESCALATION_STATUSES)[number];
}
