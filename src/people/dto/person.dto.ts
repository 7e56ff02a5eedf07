import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Nullable, Optional, Trim } from '../../common/dto-helpers.js';
import { PageQuery } from '../../common/pagination.js';
import type { Person } from '../person.entity.js';
import { VersionedResponse } from '../../common/versioned.response.js';

export class CreatePersonDto {
  @ApiProperty({ example: 'Priya Raman', maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({
    description: 'Unique, case-insensitively',
    format: 'email',
    example: 'priya.raman@example.com',
    maxLength: 320,
  })
  @Trim()
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(320)
  email!: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'Data Platform', maxLength: 200 })
  @Nullable()
  @Trim()
  @IsString()
  @MaxLength(200)
  team?: string | null;
}

/** Fields to change; absent fields stay, `null` clears the team. */
export class UpdatePersonDto extends CreatePersonDto {
  @ApiPropertyOptional({ example: 'Priya Raman', maxLength: 200 })
  @Optional()
  override name!: string;

  @ApiPropertyOptional({ format: 'email', example: 'priya.raman@example.com', maxLength: 320 })
  @Optional()
  override email!: string;
}

export class ListPeopleQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Name or e-mail contains (case-insensitive)',
    example: 'priya',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class PersonResponse extends VersionedResponse {
  @ApiProperty({ format: 'uuid', example: '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60' })
  id!: string;

  @ApiProperty({ maxLength: 200, example: 'Priya Raman' })
  name!: string;

  @ApiProperty({ maxLength: 320, format: 'email', example: 'priya.raman@example.com' })
  email!: string;

  @ApiProperty({ maxLength: 200, nullable: true, type: String, example: 'Data Platform' })
  team!: string | null;

  static from(person: Person): PersonResponse {
    return {
      id: person.id,
      name: person.name,
      email: person.email,
      team: person.team,
      ...VersionedResponse.fieldsOf(person),
    };
  }
}
