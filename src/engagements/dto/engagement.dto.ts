import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { ProblemItem } from '../../common/problem.js';
import { unnamedSpecProblems } from '../spec-validation.js';
import { DATE_LENGTH, Nullable, Optional, Trim, UUID_LENGTH } from '../../common/dto-helpers.js';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import { PageQuery } from '../../common/pagination.js';
import { RISK_LEVELS, type RiskLevel } from '../../risk/assess-risk.js';
import { ENGAGEMENT_STATUSES, type EngagementStatus } from '../engagement-status.js';
import { CRITICALITIES, type Criticality } from '../engagement.entity.js';
import { ExitPlanDto } from './exit-plan.dto.js';

export class SuccessMetricDto {
  @ApiProperty({ example: 'Invoice fields extracted correctly', maxLength: 200 })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: '≥ 97 % on the 2026 audit sample', maxLength: 500 })
  @IsString()
  @MaxLength(500)
  target!: string;

  @ApiPropertyOptional({
    example: 'Weekly sample of 200 invoices checked by AP clerks',
    maxLength: 1000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  measurement?: string;
}

/**
 * The brief the vendor works to. All fields but `tradeOffRule` are required at creation; the
 * spec is judged as a whole (no placeholders such as TBD, every problem reported at once).
 */
export class SpecDto {
  @ApiPropertyOptional({
    description:
      'The specific problem; at least 20 characters, not a placeholder (required at creation)',
    example:
      'Accounts payable keys 4,000 supplier invoices a month by hand; errors delay payments by 6 days.',
    maxLength: 10000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  problem?: string;

  @ApiPropertyOptional({
    type: [SuccessMetricDto],
    description: 'At least one (required at creation)',
    maxItems: 50,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => SuccessMetricDto)
  successMetrics?: SuccessMetricDto[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: 1000 },
    description: 'Hard constraints; at least one (required at creation)',
    example: ['Invoices never leave the EU', 'Runs on our Azure tenant'],
    maxItems: 50,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(1000, { each: true })
  constraints?: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The person who decides trade-offs (required at creation)',
    example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60',
    maxLength: UUID_LENGTH,
  })
  @IsOptional()
  @IsUUID('all', { message: 'spec.tradeOffOwnerId must be a UUID' })
  tradeOffOwnerId?: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'How trade-offs are decided',
    example: 'Accuracy over latency; cost caps everything at €8k/month.',
    maxLength: 5000,
  })
  @Nullable()
  @IsString()
  @MaxLength(5000)
  tradeOffRule?: string | null;
}

/**
 * The spec at creation: every field but `tradeOffRule` must be there. Checked with the other
 * fields of the body, so that one 400 names every missing field, the spec's included.
 */
export class CreateSpecDto extends SpecDto {
  @ApiProperty({ type: String, required: true })
  @IsDefined({ message: 'spec.problem is required' })
  override problem?: string;

  @ApiProperty({ type: [SuccessMetricDto], minItems: 1, required: true })
  @IsDefined({ message: 'spec.successMetrics is required' })
  override successMetrics?: SuccessMetricDto[];

  @ApiProperty({ type: 'array', minItems: 1, required: true })
  @IsDefined({ message: 'spec.constraints is required' })
  override constraints?: string[];

  @ApiProperty({ type: String, required: true })
  @IsDefined({ message: 'spec.tradeOffOwnerId is required' })
  override tradeOffOwnerId?: string;
}

export class CreateEngagementDto {
  /** The spec is judged whole (SPEC §2), with the body's fields, whatever else fails. */
  static judgeBody(body: Record<string, unknown>, problems: ProblemItem[]): ProblemItem[] {
    return unnamedSpecProblems(problems, body.spec);
  }

  @ApiProperty({ example: 'Invoice data extraction', minLength: 3, maxLength: 200 })
  @Trim()
  @IsString()
  @MinLength(3)
  @MaxLength(200)
  title!: string;

  @ApiProperty({
    format: 'uuid',
    example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b',
    maxLength: UUID_LENGTH,
  })
  @IsUUID('all', { message: 'vendorId must be a UUID' })
  vendorId!: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: "Procurement's contract number; unique when present",
    example: 'PO-2026-0142',
    maxLength: 100,
  })
  @Nullable()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  contractRef?: string | null;

  @ApiProperty({
    format: 'uuid',
    example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60',
    maxLength: UUID_LENGTH,
  })
  @IsUUID('all', { message: 'productOwnerId must be a UUID' })
  productOwnerId!: string;

  @ApiProperty({ type: CreateSpecDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CreateSpecDto)
  spec?: SpecDto = new CreateSpecDto();

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'uuid', maxLength: UUID_LENGTH },
    description: 'People who must be able to own the system after handover',
    example: ['1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'],
    maxItems: 50,
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'knowledgeRecipientIds must contain UUIDs' })
  knowledgeRecipientIds?: string[];

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date',
    example: '2026-12-01',
    maxLength: DATE_LENGTH,
  })
  @Nullable()
  @IsCalendarDate()
  startDate?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date',
    example: '2027-06-30',
    maxLength: DATE_LENGTH,
  })
  @Nullable()
  @IsCalendarDate()
  contractEndDate?: string | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 3650, default: 0, example: 60 })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(3650)
  noticePeriodDays?: number;

  @ApiPropertyOptional({
    enum: CRITICALITIES,
    default: 'standard',
    description:
      'important or critical: the engagement supports an important or critical function (DORA Art. 28) and needs a tested exit plan',
    example: 'important',
  })
  @IsOptional()
  @IsIn(CRITICALITIES, { message: `criticality must be one of ${CRITICALITIES.join(', ')}` })
  criticality?: Criticality;

  @ApiPropertyOptional({
    type: ExitPlanDto,
    nullable: true,
    description: 'How the company leaves the vendor if it must; null removes it',
  })
  @Nullable()
  @ValidateNested()
  @Type(() => ExitPlanDto)
  exitPlan?: ExitPlanDto | null;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 50,
    format: 'int32',
    description:
      'Independent operators that completion requires (default DEFAULT_MIN_INDEPENDENT_OPERATORS)',
    example: 2,
  })
  @IsOptional()
  @IsInt({ message: 'minIndependentOperators must be a whole number' })
  @Min(0, { message: 'minIndependentOperators must not be negative' })
  @Max(50)
  minIndependentOperators?: number;
}

/**
 * Fields to change. `spec` replaces the fields it names and keeps the others; the resulting
 * spec is validated whole. `knowledgeRecipientIds` replaces the list.
 */
export class UpdateEngagementDto extends CreateEngagementDto {
  /** A change names only some spec fields; the service judges the merged spec whole. */
  static override judgeBody(): ProblemItem[] {
    return [];
  }

  @ApiPropertyOptional({ example: 'Invoice data extraction', minLength: 3, maxLength: 200 })
  @Optional()
  override title!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b',
    maxLength: UUID_LENGTH,
  })
  @Optional()
  override vendorId!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60',
    maxLength: UUID_LENGTH,
  })
  @Optional()
  override productOwnerId!: string;

  @ApiPropertyOptional({ type: SpecDto })
  @Type(() => SpecDto)
  override spec?: SpecDto = undefined;
}

export class CancelEngagementDto {
  @ApiProperty({ example: 'Budget withdrawn in the Q1 review', maxLength: 2000 })
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'reason is required' })
  @MaxLength(2000)
  reason!: string;
}

export class ListEngagementsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ENGAGEMENT_STATUSES,
    description: 'Only engagements in this lifecycle status',
    example: 'active',
  })
  @IsOptional()
  @IsIn(ENGAGEMENT_STATUSES, { message: `status must be one of ${ENGAGEMENT_STATUSES.join(', ')}` })
  status?: EngagementStatus;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: UUID_LENGTH,
    description: 'Only engagements outsourced to this vendor (its id)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'vendorId must be a UUID' })
  vendorId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: UUID_LENGTH,
    description: 'Only engagements whose product owner is this person (their id)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'productOwnerId must be a UUID' })
  productOwnerId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: UUID_LENGTH,
    description: 'Only engagements that name this person (their id) as a knowledge recipient',
  })
  @IsOptional()
  @IsUUID('all', { message: 'knowledgeRecipientId must be a UUID' })
  knowledgeRecipientId?: string;

  @ApiPropertyOptional({
    description: 'Title contains (case-insensitive)',
    example: 'invoice',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    format: 'date',
    description: 'Final handover due on or before this date',
    example: '2027-03-31',
    maxLength: DATE_LENGTH,
  })
  @IsOptional()
  @IsCalendarDate()
  handoverDueBefore?: string;

  @ApiPropertyOptional({
    format: 'date',
    description: 'Final handover due on or after this date',
    example: '2027-01-01',
    maxLength: DATE_LENGTH,
  })
  @IsOptional()
  @IsCalendarDate()
  handoverDueAfter?: string;

  @ApiPropertyOptional({
    enum: RISK_LEVELS,
    description: 'Risk (as of today) at this level or higher',
    example: 'high',
  })
  @IsOptional()
  @IsIn(RISK_LEVELS, { message: `minRiskLevel must be one of ${RISK_LEVELS.join(', ')}` })
  minRiskLevel?: RiskLevel;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'Only engagements whose dependencyTrap is this',
    example: true,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'dependencyTrap must be true or false' })
  dependencyTrap?: boolean;

  @ApiPropertyOptional({
    enum: ['createdAt', '-riskScore'],
    default: 'createdAt',
    description: 'Oldest first, or highest risk score first',
  })
  @IsOptional()
  @IsIn(['createdAt', '-riskScore'], { message: 'sort must be createdAt or -riskScore' })
  sort?: 'createdAt' | '-riskScore';

  @ApiPropertyOptional({
    enum: CRITICALITIES,
    description:
      'Only engagements of this criticality (important and critical support a critical or important function, DORA Art. 28)',
    example: 'critical',
  })
  @IsOptional()
  @IsIn(CRITICALITIES, { message: `criticality must be one of ${CRITICALITIES.join(', ')}` })
  criticality?: Criticality;

  @ApiPropertyOptional({
    type: Number,
    format: 'int32',
    minimum: 0,
    maximum: 50,
    description: 'At least this many independent operators as of today',
    example: 2,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'minIndependentOperators must be a whole number' })
  @Min(0, { message: 'minIndependentOperators must not be negative' })
  @Max(50)
  minIndependentOperators?: number;
}

/** The list's filters, without its paging and order. */
export type EngagementFilters = Omit<ListEngagementsQuery, 'limit' | 'cursor' | 'sort'>;
