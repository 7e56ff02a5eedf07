import { ApiProperty } from '@nestjs/swagger';
import type { ApiKey } from '../api-key.entity.js';
import { SECRET_PREFIX_LENGTH } from '../api-key-secret.js';
import { ROLES, type Role } from '../role.js';

export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid', example: '0b6f3c1e-2a4d-4f8e-9b7a-5c3d2e1f0a9b' })
  id!: string;

  @ApiProperty({ maxLength: 100, example: 'Procurement tool' })
  name!: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role', example: 'procurement' })
  role!: Role;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, example: null })
  personId!: string | null;

  @ApiProperty({
    maxLength: SECRET_PREFIX_LENGTH,
    description: 'The first characters of the secret, to recognise a key',
    example: 'hov_Zq3k9XbT',
  })
  prefix!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    example: '2026-11-21T11:30:00.000Z',
  })
  lastUsedAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: null })
  revokedAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: null })
  expiresAt!: string | null;

  static from(key: ApiKey): ApiKeyResponse {
    return {
      id: key.id,
      name: key.name,
      role: key.role,
      personId: key.personId,
      prefix: key.prefix,
      createdAt: key.createdAt.toISOString(),
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
      revokedAt: key.revokedAt?.toISOString() ?? null,
      expiresAt: key.expiresAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({
    maxLength: 44,
    pattern: '^hov_[A-Za-z0-9_-]{40}$',
    description:
      'The secret to send as `Authorization: Bearer <secret>`. Shown only in this response.',
    example: 'hov_Zq3k9XbTm2Lw8Rr1Yf6Ve0Na4Hs7Uc5Pd3Jg9KxQ',
  })
  secret!: string;
}
