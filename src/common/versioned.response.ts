import { ApiProperty } from '@nestjs/swagger';

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

  @ApiProperty({ example: 1, description: 'Increases with every change; sent as ETag' })
  version!: number;
}
