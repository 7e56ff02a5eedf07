import { VersionedResponse } from '../../common/versioned.response.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { DATE_LENGTH, IsEvidenceUrl, Trim, UUID_LENGTH } from '../../common/dto-helpers.js';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import {
  DRILL_KINDS,
  DRILL_OUTCOMES,
  DRILL_STATUSES,
  type Drill,
  type DrillKind,
  type DrillOutcome,
  type DrillStatus,
  VENDOR_ASSISTANCE_LEVELS,
  type VendorAssistance,
} from '../drill.entity.js';

const PERSON_ID = '1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const ARTIFACT_ID = '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f';

export class CreateDrillDto {
  @ApiProperty({
    enum: DRILL_KINDS,
    example: 'restore',
    description:
      'What is rehearsed: deploy, restore from backup, respond to an incident, make a change, explain the design, or run the exit plan (exit_rehearsal)',
  })
  @IsIn(DRILL_KINDS, { message: `kind must be one of ${DRILL_KINDS.join(', ')}` })
  kind!: DrillKind;

  @ApiProperty({ example: 'Restore the extraction database from last night', maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'title is required' })
  @MaxLength(200)
  title!: string;

  @ApiProperty({
    example:
      'The primary database is lost at 09:00; restore it from the nightly backup and replay the queue without the vendor.',
    maxLength: 5000,
  })
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'scenario is required' })
  @MaxLength(5000)
  scenario!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid', maxLength: UUID_LENGTH },
    description: 'Knowledge recipients of the engagement who run the drill',
    example: [PERSON_ID],
    minItems: 1,
    maxItems: 50,
  })
  @IsArray({ message: 'participantIds must be an array' })
  @ArrayMinSize(1, { message: 'participantIds must name at least one participant' })
  @ArrayMaxSize(50)
  @ArrayUnique({ message: 'participantIds must not repeat a person' })
  @IsUUID('all', { each: true, message: 'participantIds must contain UUIDs' })
  participantIds!: string[];

  @ApiPropertyOptional({ format: 'date', example: '2027-02-15', maxLength: DATE_LENGTH })
  @IsOptional()
  @IsCalendarDate()
  scheduledOn?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'uuid', maxLength: UUID_LENGTH },
    description: 'Artifacts of the engagement the drill exercises (the runbook it follows, say)',
    example: [ARTIFACT_ID],
    maxItems: 50,
  })
  @IsOptional()
  @IsArray({ message: 'artifactIds must be an array' })
  @ArrayMaxSize(50)
  @ArrayUnique({ message: 'artifactIds must not repeat an artifact' })
  @IsUUID('all', { each: true, message: 'artifactIds must contain UUIDs' })
  artifactIds?: string[];
}

export class RecordDrillDto {
  @ApiProperty({ enum: DRILL_OUTCOMES, example: 'passed' })
  @IsIn(DRILL_OUTCOMES, { message: `outcome must be one of ${DRILL_OUTCOMES.join(', ')}` })
  outcome!: DrillOutcome;

  @ApiProperty({
    format: 'date',
    example: '2027-02-15',
    description: 'Not in the future',
    maxLength: DATE_LENGTH,
  })
  @IsCalendarDate()
  performedOn!: string;

  @ApiProperty({
    enum: VENDOR_ASSISTANCE_LEVELS,
    example: 'none',
    description:
      'How much the vendor helped: only a pass with none makes the participants independent operators',
  })
  @IsIn(VENDOR_ASSISTANCE_LEVELS, {
    message: `vendorAssistance must be one of ${VENDOR_ASSISTANCE_LEVELS.join(', ')}`,
  })
  vendorAssistance!: VendorAssistance;

  @ApiPropertyOptional({ minimum: 1, maximum: 10080, example: 95, format: 'int32' })
  @IsOptional()
  @IsInt({ message: 'durationMinutes must be a whole number of minutes' })
  @Min(1)
  @Max(10080)
  durationMinutes?: number;

  @ApiProperty({
    example: 'https://wiki.example.com/drills/2027-02-restore',
    description: 'Where the evidence is: the recording, the log, the observer’s write-up',
    maxLength: 2048,
  })
  @IsEvidenceUrl()
  evidenceUrl!: string;

  @ApiProperty({
    format: 'uuid',
    example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60',
    description: 'The product owner, or a knowledge recipient who did not take part',
    maxLength: UUID_LENGTH,
  })
  @IsUUID('all', { message: 'observedById must be a UUID' })
  observedById!: string;

  @ApiPropertyOptional({
    example: 'The backup was 3 days old: the retention job had failed silently. Fixed the alert.',
    maxLength: 10000,
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(10000)
  notes?: string;
}

export class DrillResponse extends VersionedResponse {
  @ApiProperty({ format: 'uuid', example: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ enum: DRILL_KINDS, example: 'restore' })
  kind!: DrillKind;

  @ApiProperty({ maxLength: 200, example: 'Restore the extraction database from last night' })
  title!: string;

  @ApiProperty({ maxLength: 5000, example: 'The primary database is lost at 09:00; restore it.' })
  scenario!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    maxItems: 50,
    example: [PERSON_ID],
  })
  participantIds!: string[];

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    maxItems: 50,
    example: [ARTIFACT_ID],
  })
  artifactIds!: string[];

  @ApiProperty({ nullable: true, type: String, format: 'date', example: '2027-02-15' })
  scheduledOn!: string | null;

  @ApiProperty({
    enum: DRILL_STATUSES,
    example: 'recorded',
    description: 'scheduled until recorded; a recorded drill never changes',
  })
  status!: DrillStatus;

  @ApiProperty({ enum: DRILL_OUTCOMES, nullable: true, example: 'passed' })
  outcome!: DrillOutcome | null;

  @ApiProperty({ nullable: true, type: String, format: 'date', example: '2027-02-15' })
  performedOn!: string | null;

  @ApiProperty({ enum: VENDOR_ASSISTANCE_LEVELS, nullable: true, example: 'none' })
  vendorAssistance!: VendorAssistance | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    format: 'int32',
    minimum: 1,
    maximum: 10080,
    example: 95,
  })
  durationMinutes!: number | null;

  @ApiProperty({
    nullable: true,
    type: String,
    maxLength: 2048,
    example: 'https://wiki.example.com/drills/2027-02-restore',
  })
  evidenceUrl!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60',
  })
  observedById!: string | null;

  @ApiProperty({ nullable: true, type: String, maxLength: 10000, example: null })
  notes!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null })
  recordedAt!: string | null;

  static from(drill: Drill, participantIds: string[], artifactIds: string[]): DrillResponse {
    return {
      id: drill.id,
      engagementId: drill.engagementId,
      kind: drill.kind,
      title: drill.title,
      scenario: drill.scenario,
      participantIds,
      artifactIds,
      scheduledOn: drill.scheduledOn,
      status: drill.status,
      outcome: drill.outcome,
      performedOn: drill.performedOn,
      vendorAssistance: drill.vendorAssistance,
      durationMinutes: drill.durationMinutes,
      evidenceUrl: drill.evidenceUrl,
      observedById: drill.observedById,
      notes: drill.notes,
      recordedAt: drill.recordedAt?.toISOString() ?? null,
      ...VersionedResponse.fieldsOf(drill),
    };
  }
}
