import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CreateArtifactDto } from '../../artifacts/dto/artifact.dto.js';
import { DATE_LENGTH, Optional, Trim } from '../../common/dto-helpers.js';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import type { ProblemItem } from '../../common/problem.js';
import { CreateEngagementDto, CreateSpecDto } from '../../engagements/dto/engagement.dto.js';
import { CreateMilestoneDto } from '../../milestones/dto/milestone.dto.js';

const EMAIL_LENGTH = 320;
const NAME_LENGTH = 200;

/** `true` and `false` as a query string spells them. */
const QueryBoolean = () =>
  Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  );

export class ImportSpecDto extends CreateSpecDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The trade-off owner by id; or give tradeOffOwnerEmail',
    maxLength: 36,
  })
  @IsOptional()
  override tradeOffOwnerId?: string;

  @ApiPropertyOptional({
    format: 'email',
    description: 'The trade-off owner by e-mail, instead of tradeOffOwnerId',
    example: 'li.wei@example.com',
    maxLength: EMAIL_LENGTH,
  })
  @IsOptional()
  @IsEmail({}, { message: 'spec.tradeOffOwnerEmail must be an e-mail address' })
  @MaxLength(EMAIL_LENGTH)
  tradeOffOwnerEmail?: string;
}

/** A KT artifact due with the milestone it is listed under. */
export class ImportArtifactDto extends OmitType(CreateArtifactDto, ['milestoneId'] as const) {}

export class ImportMilestoneDto extends CreateMilestoneDto {
  @ApiPropertyOptional({
    type: [ImportArtifactDto],
    description: 'KT artifacts due with this milestone',
    maxItems: 100,
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ImportArtifactDto)
  artifacts?: ImportArtifactDto[];
}

/**
 * One row of a JSON import: the body of `POST /v1/engagements`, where a vendor or person may
 * be named by its natural key instead of its id (SPEC §10), plus the handover plan.
 */
export class ImportEngagementDto extends CreateEngagementDto {
  /** The spec judged as the single POST judges it; its trade-off owner may be an e-mail instead. */
  static override judgeBody(body: Record<string, unknown>, problems: ProblemItem[]): ProblemItem[] {
    return super
      .judgeBody(body, problems)
      .filter((problem) => problem.field !== 'spec.tradeOffOwnerId')
      .map((problem) => ({ ...problem, code: 'INVALID_SPEC' }));
  }

  @ApiPropertyOptional({ format: 'uuid', description: 'Or give vendorName', maxLength: 36 })
  @IsOptional()
  override vendorId!: string;

  @ApiPropertyOptional({
    description: 'The vendor by name (case-insensitive), instead of vendorId',
    example: 'Acme AI',
    maxLength: NAME_LENGTH,
  })
  @Optional()
  @Trim()
  @IsString()
  @MaxLength(NAME_LENGTH)
  vendorName?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Or give productOwnerEmail', maxLength: 36 })
  @IsOptional()
  override productOwnerId!: string;

  @ApiPropertyOptional({
    format: 'email',
    description: 'The product owner by e-mail, instead of productOwnerId',
    example: 'priya.raman@example.com',
    maxLength: EMAIL_LENGTH,
  })
  @Optional()
  @IsEmail({}, { message: 'productOwnerEmail must be an e-mail address' })
  @MaxLength(EMAIL_LENGTH)
  productOwnerEmail?: string;

  @ApiProperty({ type: ImportSpecDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ImportSpecDto)
  override spec?: ImportSpecDto = new ImportSpecDto();

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'email', maxLength: EMAIL_LENGTH },
    description: 'Knowledge recipients by e-mail, with or instead of knowledgeRecipientIds',
    example: ['li.wei@example.com'],
    maxItems: 50,
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique((email: unknown) => (typeof email === 'string' ? email.toLowerCase() : email))
  @IsEmail({}, { each: true, message: 'knowledgeRecipientEmails must contain e-mail addresses' })
  @MaxLength(EMAIL_LENGTH, { each: true })
  knowledgeRecipientEmails?: string[];

  @ApiPropertyOptional({
    format: 'date',
    description: 'Creates the final_handover milestone, due on this date',
    example: '2027-05-31',
    maxLength: DATE_LENGTH,
  })
  @Optional()
  @IsCalendarDate()
  finalHandoverDate?: string;

  @ApiPropertyOptional({
    type: [ImportMilestoneDto],
    description:
      'The handover plan: milestones with the KT artifacts due with each (JSON only; a final_handover here replaces finalHandoverDate)',
    maxItems: 100,
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ImportMilestoneDto)
  milestones?: ImportMilestoneDto[];
}

export class ImportQuery {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Check everything and write nothing: 200 { valid, rows } or the same 422',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Create the vendors (by name) and people (by e-mail, named by it) that do not exist yet',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'createMissing must be true or false' })
  createMissing?: boolean;
}

export class CreatedVendor {
  @ApiProperty({ format: 'uuid', maxLength: 36 })
  id!: string;

  @ApiProperty({ example: 'Acme AI', maxLength: NAME_LENGTH })
  name!: string;
}

export class CreatedPerson {
  @ApiProperty({ format: 'uuid', maxLength: 36 })
  id!: string;

  @ApiProperty({ format: 'email', example: 'li.wei@example.com', maxLength: EMAIL_LENGTH })
  email!: string;
}

export class ImportResponse {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 100_000, example: 2 })
  created!: number;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid', maxLength: 36 },
    maxItems: 100_000,
    description: 'In the order of the rows',
  })
  engagementIds!: string[];

  @ApiProperty({ type: [CreatedVendor], maxItems: 100_000 })
  createdVendors!: CreatedVendor[];

  @ApiProperty({ type: [CreatedPerson], maxItems: 100_000 })
  createdPeople!: CreatedPerson[];
}

export class DryRunResponse {
  @ApiProperty({ enum: [true] })
  valid!: true;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 100_000, example: 2 })
  rows!: number;
}
