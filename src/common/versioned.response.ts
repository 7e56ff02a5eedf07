import { ApiProperty } from '@nestjs/swagger';
import type { VersionedEntity } from '../database/base-entities.js';

/**
 * The fields of a resource changed in place under optimistic concurrency: the `version` is its
 * ETag, sent back in If-Match. Response classes extend it; the OpenAPI document lists these
 * properties in each one's schema, with no schema of its own.
 */
export abstract class VersionedResponse {
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  updatedAt!: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    example: 1,
    description: 'Increases with every change; sent as ETag',
  })
  version!: number;

  /** These fields of a row, as a response carries them. */
  static fieldsOf(row: VersionedEntity): VersionedResponse {
    return {
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      version: row.version,
    };
  }
}
