import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '../../auth/role.js';
import {
  AUDIT_ENTITY_TYPES,
  type AuditEntityType,
  type AuditEvent,
  type FieldChanges,
} from '../audit-event.entity.js';

export class AuditActor {
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    example: '0b6f3c1e-2a4d-4f8e-9b7a-5c3d2e1f0a9b',
  })
  apiKeyId!: string | null;

  @ApiProperty({ maxLength: 100, example: 'Procurement tool' })
  name!: string;

  @ApiProperty({ enum: [...ROLES, 'system'], example: 'procurement' })
  role!: string;
}

export class AuditEventResponse {
  @ApiProperty({ format: 'uuid', example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' })
  id!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  at!: string;

  @ApiProperty({ type: AuditActor })
  actor!: AuditActor;

  @ApiProperty({ maxLength: 100, pattern: '^[a-z_]+\\.[a-z_]+$', example: 'milestone.updated' })
  action!: string;

  @ApiProperty({ enum: AUDIT_ENTITY_TYPES, example: 'milestone' })
  entityType!: AuditEntityType;

  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  entityId!: string;

  @ApiProperty({
    description: 'Each changed field with its value before and after',
    example: { dueDate: { from: '2027-03-01', to: '2027-03-29' } },
    type: 'object',
    // One entry per column of the changed entity; no entity has this many.
    maxProperties: 50,
    additionalProperties: {
      type: 'object',
      properties: { from: {}, to: {} },
    },
  })
  changes!: FieldChanges;

  static from(event: AuditEvent): AuditEventResponse {
    return {
      id: event.id,
      at: event.at.toISOString(),
      actor: { apiKeyId: event.actorApiKeyId, name: event.actorName, role: event.actorRole },
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId,
      changes: event.changes,
    };
  }
}
