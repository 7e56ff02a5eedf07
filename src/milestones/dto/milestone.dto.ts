import { VersionedResponse } from '../../common/versioned.response.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { DATE_LENGTH, Optional, Trim } from '../../common/dto-helpers.js';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import {
  MILESTONE_KINDS,
  type Milestone,
  type MilestoneDateChange,
  type MilestoneKind,
} from '../milestone.entity.js';

export class CreateMilestoneDto {
  @ApiProperty({ example: 'Final handover to the Data Platform team', maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({
    enum: MILESTONE_KINDS,
    example: 'final_handover',
    description: 'At most one final_handover per engagement',
  })
  @IsIn(MILESTONE_KINDS, { message: `kind must be one of ${MILESTONE_KINDS.join(', ')}` })
  kind!: MilestoneKind;

  @ApiProperty({ format: 'date', example: '2027-03-31', maxLength: DATE_LENGTH })
  @IsCalendarDate()
  dueDate!: string;
}

export class UpdateMilestoneDto extends CreateMilestoneDto {
  @ApiPropertyOptional({ example: 'Final handover to the Data Platform team', maxLength: 200 })
  @Optional()
  override name!: string;

  @ApiPropertyOptional({ enum: MILESTONE_KINDS, example: 'handover' })
  @Optional()
  override kind!: MilestoneKind;

  @ApiPropertyOptional({
    format: 'date',
    example: '2027-04-28',
    description: 'After activation a change needs `reason` and is kept in the date-change ledger',
    maxLength: DATE_LENGTH,
  })
  @Optional()
  override dueDate!: string;

  @ApiPropertyOptional({
    example: 'Vendor lost two engineers; agreed in the steering meeting of 12 March',
    maxLength: 2000,
  })
  @Optional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason?: string;
}

export class CompleteMilestoneDto {
  @ApiPropertyOptional({
    format: 'date',
    example: '2027-03-30',
    description: 'Default today (UTC); not in the future',
    maxLength: DATE_LENGTH,
  })
  @IsOptional()
  @IsCalendarDate()
  completedOn?: string;
}

export class MilestoneResponse extends VersionedResponse {
  @ApiProperty({ format: 'uuid', example: '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ maxLength: 200, example: 'Final handover to the Data Platform team' })
  name!: string;

  @ApiProperty({ enum: MILESTONE_KINDS, example: 'final_handover' })
  kind!: MilestoneKind;

  @ApiProperty({ format: 'date', example: '2027-03-31' })
  dueDate!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date',
    example: '2027-03-31',
    description: 'The due date at activation (or at creation after it); never changes',
  })
  baselineDueDate!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date', example: null })
  completedOn!: string | null;

  static from(milestone: Milestone): MilestoneResponse {
    return {
      id: milestone.id,
      engagementId: milestone.engagementId,
      name: milestone.name,
      kind: milestone.kind,
      dueDate: milestone.dueDate,
      baselineDueDate: milestone.baselineDueDate,
      completedOn: milestone.completedOn,
      ...VersionedResponse.fieldsOf(milestone),
    };
  }
}

export class ChangedBy {
  @ApiProperty({ format: 'uuid', example: '0b6f3c1e-2a4d-4f8e-9b7a-5c3d2e1f0a9b' })
  apiKeyId!: string;

  @ApiProperty({ maxLength: 100, example: 'Procurement tool' })
  name!: string;
}

export class DateChangeResponse {
  @ApiProperty({ format: 'uuid', example: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a' })
  id!: string;

  @ApiProperty({ format: 'date', example: '2027-03-31' })
  fromDate!: string;

  @ApiProperty({ format: 'date', example: '2027-04-28' })
  toDate!: string;

  @ApiProperty({ maxLength: 2000, example: 'Vendor lost two engineers' })
  reason!: string;

  @ApiProperty({ description: 'A change to a later date', example: true })
  slip!: boolean;

  @ApiProperty({ type: ChangedBy })
  changedBy!: ChangedBy;

  @ApiProperty({ format: 'date-time', example: '2027-03-12T09:30:00.000Z' })
  changedAt!: string;

  static from(change: MilestoneDateChange): DateChangeResponse {
    return {
      id: change.id,
      fromDate: change.fromDate,
      toDate: change.toDate,
      reason: change.reason,
      slip: change.toDate > change.fromDate,
      changedBy: { apiKeyId: change.changedByApiKeyId, name: change.changedByName },
      changedAt: change.changedAt.toISOString(),
    };
  }
}
