import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { UUID_LENGTH } from '../../common/dto-helpers.js';
import { PageQuery } from '../../common/pagination.js';
import { ROLES } from '../../auth/role.js';
import { type DomainEvent, type EventActor } from '../event.entity.js';
import { EVENT_TYPES, type EventType } from '../event-types.js';

const MAX_SEQ_DIGITS = 15;

export class EventActorResponse implements EventActor {
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    example: '1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  })
  apiKeyId!: string | null;

  @ApiProperty({ maxLength: 100, example: 'procurement bot' })
  name!: string;

  @ApiProperty({ enum: [...ROLES, 'system'], example: 'procurement' })
  role!: EventActor['role'];
}

export class EventResponse {
  @ApiProperty({ format: 'uuid', example: '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6' })
  id!: string;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 1042,
    description: 'Increases in commit order: poll with `after` = the last seq seen',
  })
  seq!: number;

  @ApiProperty({ enum: EVENT_TYPES, example: 'milestone.date_changed' })
  type!: EventType;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T09:30:00.000Z' })
  occurredAt!: string;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c',
  })
  engagementId!: string | null;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  })
  vendorId!: string | null;

  @ApiProperty({
    type: EventActorResponse,
    description:
      'Who made the change: an API key, or the clock (`role: system`) for what time triggers',
  })
  actor!: EventActorResponse;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'What happened, by type (SPEC §6): the engagement, milestone or artifact as GET returns it, or the change',
    example: {
      fromDate: '2027-03-31',
      toDate: '2027-04-30',
      reason: 'Vendor staffing',
      slip: true,
      slipDays: 30,
    },
  })
  data!: Record<string, unknown>;

  static from(event: DomainEvent): EventResponse {
    return {
      id: event.id,
      seq: Number(event.seq),
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      engagementId: event.engagementId,
      vendorId: event.vendorId,
      actor: event.actor,
      data: event.data,
    };
  }
}

const asArray = ({ value }: { value: unknown }) =>
  value === undefined || Array.isArray(value) ? value : [value];

export class ListEventsQuery extends PageQuery {
  @ApiPropertyOptional({
    type: String,
    pattern: `^\\d{1,${MAX_SEQ_DIGITS}}$`,
    maxLength: MAX_SEQ_DIGITS,
    example: '1041',
    description:
      'Only events after this seq (the last one the caller saw); default from the oldest kept',
  })
  @IsOptional()
  @Matches(new RegExp(`^\\d{1,${MAX_SEQ_DIGITS}}$`), {
    message: 'after must be a seq: a whole number',
  })
  after?: string;

  @ApiPropertyOptional({
    enum: EVENT_TYPES,
    isArray: true,
    maxItems: EVENT_TYPES.length,
    description: 'Only these types; repeat the parameter for several',
    example: ['milestone.date_changed'],
  })
  @IsOptional()
  @Transform(asArray)
  @ArrayMaxSize(EVENT_TYPES.length)
  @IsIn(EVENT_TYPES, { each: true, message: `type must be one of ${EVENT_TYPES.join(', ')}` })
  type?: EventType[];

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: UUID_LENGTH,
    description: 'Only events about this engagement or anything in it (its id)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'engagementId must be a UUID' })
  engagementId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: UUID_LENGTH,
    description: "Only events about this vendor's engagements (the vendor's id)",
  })
  @IsOptional()
  @IsUUID('all', { message: 'vendorId must be a UUID' })
  vendorId?: string;
}
