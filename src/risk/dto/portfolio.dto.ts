import { ApiProperty, IntersectionType, PickType } from '@nestjs/swagger';
import { ENGAGEMENT_STATUSES, type EngagementStatus } from '../../engagements/engagement-status.js';
import { MAX_PAGE_SIZE, PageQuery } from '../../common/pagination.js';
import { RISK_LEVELS, type RiskLevel, SIGNAL_CODES, type SignalCode } from '../assess-risk.js';
import { RiskQuery, RiskSignalResponse } from './risk.dto.js';

const LEVEL_COUNTS_EXAMPLE = { none: 12, low: 3, medium: 5, high: 4, critical: 1 };

export class LevelCounts {
  @ApiProperty({ example: 12 }) none!: number;
  @ApiProperty({ example: 3 }) low!: number;
  @ApiProperty({ example: 5 }) medium!: number;
  @ApiProperty({ example: 4 }) high!: number;
  @ApiProperty({ example: 1 }) critical!: number;
}

export const emptyLevelCounts = (): LevelCounts => ({
  none: 0,
  low: 0,
  medium: 0,
  high: 0,
  critical: 0,
});

export class PortfolioTotals {
  @ApiProperty({ description: 'Open (draft and active) engagements', example: 25 })
  engagements!: number;

  @ApiProperty({ type: LevelCounts, example: LEVEL_COUNTS_EXAMPLE })
  byLevel!: LevelCounts;

  @ApiProperty({ description: 'Engagements at high or critical risk', example: 5 })
  dependencyTrap!: number;
}

export class FlaggedEngagement {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ maxLength: 200, example: 'Invoice data extraction' })
  title!: string;

  @ApiProperty({ enum: ENGAGEMENT_STATUSES, example: 'active' })
  status!: EngagementStatus;

  @ApiProperty({ format: 'uuid', example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b' })
  vendorId!: string;

  @ApiProperty({ maxLength: 200, example: 'Acme AI Labs' })
  vendorName!: string;

  @ApiProperty({ format: 'uuid', example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60' })
  productOwnerId!: string;

  @ApiProperty({ enum: RISK_LEVELS, example: 'critical' })
  level!: RiskLevel;

  @ApiProperty({ example: 80 })
  score!: number;

  @ApiProperty({ maxItems: SIGNAL_CODES.length, type: [RiskSignalResponse] })
  signals!: RiskSignalResponse[];
}

export class VendorRiskCounts {
  @ApiProperty({ format: 'uuid', example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b' })
  vendorId!: string;

  @ApiProperty({ maxLength: 200, example: 'Acme AI Labs' })
  name!: string;

  @ApiProperty({ description: 'Open engagements', example: 6 })
  engagements!: number;

  @ApiProperty({ description: 'Open engagements in a dependency trap', example: 2 })
  flagged!: number;

  @ApiProperty({ type: LevelCounts, example: LEVEL_COUNTS_EXAMPLE })
  byLevel!: LevelCounts;
}

export class RiskPortfolioResponse {
  @ApiProperty({ format: 'date', example: '2026-11-23' })
  asOf!: string;

  @ApiProperty({ type: PortfolioTotals })
  totals!: PortfolioTotals;

  @ApiProperty({
    type: [FlaggedEngagement],
    maxItems: MAX_PAGE_SIZE,
    description:
      'Engagements in a dependency trap, highest score first and ties oldest first, at most `limit` of them: the first page of `GET /v1/engagements?dependencyTrap=true&sort=-riskScore`',
  })
  flagged!: FlaggedEngagement[];

  @ApiProperty({ description: 'How many open engagements are in a dependency trap', example: 5 })
  flaggedTotal!: number;

  @ApiProperty({
    type: 'object',
    properties: Object.fromEntries(
      SIGNAL_CODES.map((code) => [
        code,
        { type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 },
      ]),
    ),
    required: [...SIGNAL_CODES],
    additionalProperties: false,
    description: 'Open engagements carrying each signal (every code, zeros included)',
    example: Object.fromEntries(SIGNAL_CODES.map((code, index) => [code, index % 3])),
  })
  bySignal!: Record<SignalCode, number>;

  @ApiProperty({
    type: [VendorRiskCounts],
    description: 'Per vendor with open engagements, most flagged first',
  })
  vendors!: VendorRiskCounts[];
}

export class ScorecardEngagements {
  @ApiProperty({ example: 9 }) total!: number;
  @ApiProperty({ example: 1 }) draft!: number;
  @ApiProperty({ example: 4 }) active!: number;
  @ApiProperty({ example: 3 }) completed!: number;
  @ApiProperty({ example: 1 }) cancelled!: number;
}

export class ScorecardHandovers {
  @ApiProperty({ description: 'Final handovers completed', example: 3 }) completed!: number;
  @ApiProperty({ description: 'Completed on or before their baseline', example: 2 })
  onTime!: number;
  @ApiProperty({ description: 'Completed after their baseline', example: 1 }) late!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'onTime / completed; null when none completed',
    example: 0.67,
  })
  onTimeRate!: number | null;
}

export class ScorecardSlips {
  @ApiProperty({ description: 'Changes of final handover dates to a later date', example: 4 })
  count!: number;
  @ApiProperty({
    description: 'Sum of the net slips (dueDate − baselineDueDate, when positive)',
    example: 63,
  })
  totalDays!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'totalDays over the engagements that slipped',
    example: 31.5,
  })
  averageDays!: number | null;
}

export class ScorecardArtifacts {
  @ApiProperty({ example: 30 }) total!: number;
  @ApiProperty({ description: 'Ever delivered', example: 24 }) delivered!: number;
  @ApiProperty({ example: 18 }) accepted!: number;
  @ApiProperty({ example: 5 }) rejectedAtLeastOnce!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'accepted / delivered; null when none delivered',
    example: 0.75,
  })
  acceptanceRate!: number | null;
}

/** A count in a response: a non-negative int32. */
const COUNT = { type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 } as const;

export class ScorecardDrills {
  @ApiProperty({
    ...COUNT,
    description: "Drills recorded on the vendor's engagements, whatever their outcome",
    example: 12,
  })
  recorded!: number;

  @ApiProperty({
    ...COUNT,
    description:
      'Recorded drills passed with vendorAssistance none: evidence that internal people operate the system without the vendor',
    example: 7,
  })
  passedUnassisted!: number;
}

export class ScorecardRisk {
  @ApiProperty({
    type: LevelCounts,
    description: 'Open engagements by current level',
    example: LEVEL_COUNTS_EXAMPLE,
  })
  byLevel!: LevelCounts;

  @ApiProperty({ enum: RISK_LEVELS, example: 'high' })
  maxLevel!: RiskLevel;
}

export class VendorScorecardResponse {
  @ApiProperty({ format: 'uuid', example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b' })
  vendorId!: string;

  @ApiProperty({ type: ScorecardEngagements }) engagements!: ScorecardEngagements;
  @ApiProperty({ type: ScorecardHandovers }) handovers!: ScorecardHandovers;
  @ApiProperty({ type: ScorecardSlips }) slips!: ScorecardSlips;
  @ApiProperty({ type: ScorecardArtifacts }) artifacts!: ScorecardArtifacts;
  @ApiProperty({ type: ScorecardDrills }) drills!: ScorecardDrills;
  @ApiProperty({ type: ScorecardRisk }) risk!: ScorecardRisk;
}

/** `GET /v1/risk/summary`: the judgement date and how many flagged engagements to list. */
export class RiskSummaryQuery extends IntersectionType(RiskQuery, PickType(PageQuery, ['limit'])) {}
