import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { Nullable, Optional, Trim } from '../../common/dto-helpers.js';
import { PageQuery } from '../../common/pagination.js';
import type { Vendor } from '../vendor.entity.js';
import { VersionedResponse } from '../../common/versioned.response.js';

export class CreateVendorDto {
  @ApiProperty({
    description: 'Unique, case-insensitively',
    example: 'Acme AI Labs',
    maxLength: 200,
  })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'email',
    example: 'delivery@acme-ai.example',
    maxLength: 320,
  })
  @Nullable()
  @IsEmail({}, { message: 'contactEmail must be an e-mail address' })
  @MaxLength(320)
  contactEmail?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'uri',
    example: 'https://acme-ai.example',
    maxLength: 2048,
  })
  @Nullable()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true },
    { message: 'website must be an http(s) URL' },
  )
  @MaxLength(2048)
  website?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'Framework agreement FA-2026-014',
    maxLength: 10000,
  })
  @Nullable()
  @IsString()
  @MaxLength(10000)
  notes?: string | null;
}

/** Fields to change; absent fields stay, `null` clears an optional one. */
export class UpdateVendorDto extends CreateVendorDto {
  @ApiPropertyOptional({
    description: 'Unique, case-insensitively',
    example: 'Acme AI Labs',
    maxLength: 200,
  })
  @Optional()
  override name!: string;
}

export class ListVendorsQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Name contains (case-insensitive)',
    example: 'acme',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    enum: ['createdAt', '-slipDays'],
    default: 'createdAt',
    description: 'Oldest first, or most days of final-handover slip first',
  })
  @IsOptional()
  @IsIn(['createdAt', '-slipDays'], { message: 'sort must be createdAt or -slipDays' })
  sort?: 'createdAt' | '-slipDays';

  @ApiPropertyOptional({
    enum: ['scorecard'],
    description: "Add each vendor's track-record summary",
  })
  @IsOptional()
  @IsIn(['scorecard'], { message: 'include must be scorecard' })
  include?: 'scorecard';
}

export class VendorTrackRecord {
  @ApiProperty({ description: 'All engagements with the vendor', example: 9 })
  engagements!: number;

  @ApiProperty({ description: 'Net days the final handovers slipped, summed', example: 63 })
  slipDays!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Final handovers completed on time / completed',
    example: 0.67,
  })
  handoverOnTimeRate!: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Artifacts accepted / ever delivered',
    example: 0.75,
  })
  acceptanceRate!: number | null;
}

export class VendorResponse extends VersionedResponse {
  @ApiProperty({ format: 'uuid', example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b' })
  id!: string;

  @ApiProperty({ maxLength: 200, example: 'Acme AI Labs' })
  name!: string;

  @ApiProperty({
    format: 'email',
    maxLength: 320,
    nullable: true,
    type: String,
    example: 'delivery@acme-ai.example',
  })
  contactEmail!: string | null;

  @ApiProperty({
    format: 'uri',
    maxLength: 2048,
    nullable: true,
    type: String,
    example: 'https://acme-ai.example',
  })
  website!: string | null;

  @ApiProperty({
    maxLength: 10000,
    nullable: true,
    type: String,
    example: 'Framework agreement FA-2026-014',
  })
  notes!: string | null;

  @ApiPropertyOptional({ type: VendorTrackRecord, description: 'With include=scorecard' })
  scorecard?: VendorTrackRecord;

  static from(vendor: Vendor): VendorResponse {
    return {
      id: vendor.id,
      name: vendor.name,
      contactEmail: vendor.contactEmail,
      website: vendor.website,
      notes: vendor.notes,
      ...VersionedResponse.fieldsOf(vendor),
    };
  }
}
