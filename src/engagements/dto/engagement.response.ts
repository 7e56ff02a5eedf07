import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ENGAGEMENT_STATUSES, type EngagementStatus } from '../engagement-status.js';
import { CRITICALITIES, type Criticality, type Engagement } from '../engagement.entity.js';
import { ExitPlanResponse } from './exit-plan.dto.js';
import { lastSafeHandoverDate } from '../exit-clock.js';
import { RiskSummary } from '../../risk/dto/risk.dto.js';
import { SuccessMetricDto } from './engagement.dto.js';
import { VersionedResponse } from '../../common/versioned.response.js';

export class SpecResponse {
  @ApiProperty({
    maxLength: 10000,
    example:
      'Accounts payable keys 4,000 supplier invoices a month by hand; errors delay payments by 6 days.',
  })
  problem!: string;

  @ApiProperty({ maxItems: 50, type: [SuccessMetricDto] })
  successMetrics!: SuccessMetricDto[];

  @ApiProperty({
    maxItems: 50,
    maxLength: 1000,
    type: [String],
    example: ['Invoices never leave the EU'],
  })
  constraints!: string[];

  @ApiProperty({ format: 'uuid', example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60' })
  tradeOffOwnerId!: string;

  @ApiProperty({ maxLength: 5000, nullable: true, type: String, example: 'Accuracy over latency.' })
  tradeOffRule!: string | null;
}

export class EngagementResponse extends VersionedResponse {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  id!: string;

  @ApiProperty({ maxLength: 200, example: 'Invoice data extraction' })
  title!: string;

  @ApiProperty({ format: 'uuid', example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b' })
  vendorId!: string;

  @ApiProperty({ maxLength: 100, nullable: true, type: String, example: 'PO-2026-0142' })
  contractRef!: string | null;

  @ApiProperty({
    enum: ENGAGEMENT_STATUSES,
    example: 'draft',
    description: 'Changed only by the actions',
  })
  status!: EngagementStatus;

  @ApiProperty({ format: 'uuid', example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60' })
  productOwnerId!: string;

  @ApiProperty({ type: SpecResponse })
  spec!: SpecResponse;

  @ApiProperty({
    maxItems: 50,
    type: [String],
    format: 'uuid',
    example: ['1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'],
  })
  knowledgeRecipientIds!: string[];

  @ApiProperty({ nullable: true, type: String, format: 'date', example: '2026-12-01' })
  startDate!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date', example: '2027-06-30' })
  contractEndDate!: string | null;

  @ApiProperty({ example: 60 })
  noticePeriodDays!: number;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date',
    description:
      'contractEndDate − noticePeriodDays: after it the company can no longer leave the vendor in an orderly way',
    example: '2027-05-01',
  })
  lastSafeHandoverDate!: string | null;

  @ApiProperty({ enum: CRITICALITIES, example: 'standard' })
  criticality!: Criticality;

  @ApiPropertyOptional({ type: ExitPlanResponse, description: 'Absent when there is none' })
  exitPlan?: ExitPlanResponse;

  @ApiProperty({ example: 2, format: 'int32', minimum: 0, maximum: 50 })
  minIndependentOperators!: number;

  @ApiProperty({
    maxItems: 50,
    type: [String],
    format: 'uuid',
    description:
      'Recipients who passed a drill without vendor help within OPERATOR_EVIDENCE_DAYS, as of today',
    example: ['1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'],
  })
  independentOperatorIds!: string[];

  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null })
  activatedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null })
  completedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null })
  cancelledAt!: string | null;

  @ApiProperty({ maxLength: 2000, nullable: true, type: String, example: null })
  cancelReason!: string | null;

  @ApiProperty({ type: RiskSummary, description: 'Dependency-trap risk as of today (UTC)' })
  risk!: RiskSummary;

  static from(
    engagement: Engagement,
    knowledgeRecipientIds: string[],
    risk: RiskSummary,
    capability: { independentOperatorIds: string[]; exitPlanLastTestedOn: string | null },
  ): EngagementResponse {
    return {
      id: engagement.id,
      title: engagement.title,
      vendorId: engagement.vendorId,
      contractRef: engagement.contractRef,
      status: engagement.status,
      productOwnerId: engagement.productOwnerId,
      spec: {
        problem: engagement.specProblem,
        successMetrics: engagement.specSuccessMetrics,
        constraints: engagement.specConstraints,
        tradeOffOwnerId: engagement.specTradeOffOwnerId,
        tradeOffRule: engagement.specTradeOffRule,
      },
      knowledgeRecipientIds,
      startDate: engagement.startDate,
      contractEndDate: engagement.contractEndDate,
      noticePeriodDays: engagement.noticePeriodDays,
      lastSafeHandoverDate: lastSafeHandoverDate(
        engagement.contractEndDate,
        engagement.noticePeriodDays,
      ),
      criticality: engagement.criticality,
      ...(engagement.exitPlan && {
        exitPlan: { ...engagement.exitPlan, lastTestedOn: capability.exitPlanLastTestedOn },
      }),
      minIndependentOperators: engagement.minIndependentOperators,
      independentOperatorIds: capability.independentOperatorIds,
      activatedAt: engagement.activatedAt?.toISOString() ?? null,
      completedAt: engagement.completedAt?.toISOString() ?? null,
      cancelledAt: engagement.cancelledAt?.toISOString() ?? null,
      cancelReason: engagement.cancelReason,
      ...VersionedResponse.fieldsOf(engagement),
      risk,
    };
  }
}
