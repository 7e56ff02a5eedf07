import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsDateString,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { DATE_TIME_MAX_LENGTH, UUID_LENGTH } from '../../common/dto-helpers.js';
import { ROLES, type Role } from '../role.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateApiKeyDto {
  @ApiProperty({
    description: 'Who or what uses the key',
    example: 'Procurement tool',
    maxLength: 100,
  })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role', example: 'procurement' })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: Role;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The person a `product_owner` key acts for; required for that role only',
    example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60',
    maxLength: UUID_LENGTH,
  })
  @ValidateIf((dto: CreateApiKeyDto) => dto.role === 'product_owner' || dto.personId !== undefined)
  @IsUUID('all', { message: 'personId must be a UUID (required for role product_owner)' })
  personId?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the key stops working; never when absent',
    example: '2027-06-30T00:00:00Z',
    maxLength: DATE_TIME_MAX_LENGTH,
  })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'expiresAt must be an ISO 8601 date-time' })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  expiresAt?: string;
}
