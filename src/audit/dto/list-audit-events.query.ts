import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { UUID_LENGTH } from '../../common/dto-helpers.js';
import { PageQuery } from '../../common/pagination.js';
import { AUDIT_ENTITY_TYPES, type AuditEntityType } from '../audit-event.entity.js';

export class ListAuditEventsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: AUDIT_ENTITY_TYPES,
    example: 'engagement',
    description: 'Only events about this kind of resource',
  })
  @IsOptional()
  @IsIn(AUDIT_ENTITY_TYPES, {
    message: `entityType must be one of ${AUDIT_ENTITY_TYPES.join(', ')}`,
  })
  entityType?: AuditEntityType;

  @ApiPropertyOptional({
    description: 'Only events about the resource with this id',
    format: 'uuid',
    example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c',
    maxLength: UUID_LENGTH,
  })
  @IsOptional()
  @IsUUID('all', { message: 'entityId must be a UUID' })
  entityId?: string;
}
