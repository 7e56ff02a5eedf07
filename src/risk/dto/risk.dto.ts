import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { DATE_LENGTH } from '../../common/dto-helpers.js';
import { IsCalendarDateBetween } from '../../common/is-calendar-date.js';
import {
  RISK_LEVELS,
  type RiskAssessment,
  type RiskLevel,
  SIGNAL_CODES,
  type RiskSignal,
  type SignalCode,
} from '../assess-risk.js';
import type { RiskHistoryEntry } from '../risk-facts.entity.js';
import { FIRST_JUDGED_DAY, type ForecastEntry, LAST_JUDGED_DAY } from '../risk-timeline.js';

export class RiskQuery {
  @ApiPropertyOptional({
    format: 'date',
    description: `Judge the current facts as of this date (default today, UTC), from ${FIRST_JUDGED_DAY} to ${LAST_JUDGED_DAY}`,
    example: '2027-04-01',
    maxLength: DATE_LENGTH,
  })
  @IsOptional()
  @IsCalendarDateBetween(FIRST_JUDGED_DAY, LAST_JUDGED_DAY)
  asOf?: string;
}

export class RiskSummary {
  @ApiProperty({ enum: RISK_LEVELS, example: 'high' })
  level!: RiskLevel;

  @ApiProperty({ minimum: 0, maximum: 100, example: 45 })
  score!: number;

  @ApiProperty({ description: 'Risk is high or critical', example: true })
  dependencyTrap!: boolean;

  static from(assessment: RiskAssessment): RiskSummary {
    return {
      level: assessment.level,
      score: assessment.score,
      dependencyTrap: assessment.dependencyTrap,
    };
  }
}

export class RiskSignalResponse {
  @ApiProperty({ enum: SIGNAL_CODES, example: 'HANDOVER_SLIPPED' })
  code!: RiskSignal['code'];

  @ApiProperty({ enum: ['low', 'medium', 'high', 'critical'], example: 'high' })
  severity!: RiskSignal['severity'];

  @ApiProperty({
    maxLength: 500,
    example: 'The final handover moved 35 days past its baseline (2 slips).',
  })
  message!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { slipDays: 35, slipCount: 2 },
  })
  data!: Record<string, unknown>;
}

export class ForecastEntryResponse implements ForecastEntry {
  @ApiProperty({
    format: 'date',
    example: '2026-12-16',
    description: 'The day the judgement changes',
  })
  on!: string;

  @ApiProperty({ enum: RISK_LEVELS, example: 'critical' })
  level!: RiskLevel;

  @ApiProperty({ minimum: 0, maximum: 100, example: 80 })
  score!: number;

  @ApiProperty({
    enum: SIGNAL_CODES,
    isArray: true,
    maxItems: SIGNAL_CODES.length,
    example: ['HANDOVER_OVERDUE', 'ARTIFACTS_OVERDUE'],
    description: 'Signals raised that day',
  })
  raised!: SignalCode[];

  @ApiProperty({
    enum: SIGNAL_CODES,
    isArray: true,
    maxItems: SIGNAL_CODES.length,
    example: ['KT_BEHIND_SCHEDULE'],
    description: 'Signals cleared that day',
  })
  cleared!: SignalCode[];
}

export class LevelAndScore {
  @ApiProperty({ enum: RISK_LEVELS, example: 'medium' })
  level!: RiskLevel;

  @ApiProperty({ minimum: 0, maximum: 100, example: 15 })
  score!: number;
}

export class RiskHistoryResponse {
  @ApiProperty({
    format: 'date-time',
    example: '2026-12-16T09:30:00.000Z',
    description: 'When it was recorded',
  })
  at!: string;

  @ApiProperty({
    format: 'date',
    example: '2026-12-16',
    description: 'The day the judgement changed',
  })
  on!: string;

  @ApiProperty({ type: LevelAndScore })
  from!: LevelAndScore;

  @ApiProperty({ type: LevelAndScore })
  to!: LevelAndScore;

  @ApiProperty({
    enum: SIGNAL_CODES,
    isArray: true,
    maxItems: SIGNAL_CODES.length,
    example: ['HANDOVER_OVERDUE'],
  })
  raised!: SignalCode[];

  @ApiProperty({ enum: SIGNAL_CODES, isArray: true, maxItems: SIGNAL_CODES.length, example: [] })
  cleared!: SignalCode[];

  @ApiProperty({
    enum: ['change', 'time'],
    example: 'change',
    description: '`change`: a write moved it; `time`: the date moved it',
  })
  cause!: 'change' | 'time';

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    example: null,
    description: 'The `risk.level_changed` event of a change, once the event feed exists',
  })
  eventId!: string | null;

  static from(entry: RiskHistoryEntry): RiskHistoryResponse {
    return {
      at: entry.at.toISOString(),
      on: entry.changedOn,
      from: { level: entry.fromLevel as RiskLevel, score: entry.fromScore },
      to: { level: entry.toLevel as RiskLevel, score: entry.toScore },
      raised: entry.raised as SignalCode[],
      cleared: entry.cleared as SignalCode[],
      cause: entry.cause,
      eventId: entry.eventId,
    };
  }
}

export class RiskResponse extends RiskSummary {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ format: 'date', example: '2027-04-01' })
  asOf!: string;

  @ApiProperty({ maxItems: SIGNAL_CODES.length, type: [RiskSignalResponse] })
  signals!: RiskSignalResponse[];

  @ApiProperty({
    type: [ForecastEntryResponse],
    maxItems: 400,
    description:
      'The days within the next RISK_FORECAST_DAYS (default 90) on which the judgement would change if nothing else happens, in date order; empty for completed and cancelled engagements',
  })
  forecast!: ForecastEntryResponse[];
}
