import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { DATE_LENGTH } from '../../common/dto-helpers.js';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import {
  RISK_LEVELS,
  type RiskAssessment,
  type RiskLevel,
  SIGNAL_CODES,
  type RiskSignal,
} from '../assess-risk.js';

export class RiskQuery {
  @ApiPropertyOptional({
    format: 'date',
    description: 'Judge the current facts as of this date (default today, UTC)',
    example: '2027-04-01',
    maxLength: DATE_LENGTH,
  })
  @IsOptional()
  @IsCalendarDate()
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

export class RiskResponse extends RiskSummary {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ format: 'date', example: '2027-04-01' })
  asOf!: string;

  @ApiProperty({ maxItems: SIGNAL_CODES.length, type: [RiskSignalResponse] })
  signals!: RiskSignalResponse[];
}
