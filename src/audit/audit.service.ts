import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { insertInChunks } from '../database/bulk-insert.js';
import { Keyset, keysetPage, type Page, timeThenId } from '../common/pagination.js';
import { AuditEvent, type AuditEntityType, type FieldChanges } from './audit-event.entity.js';
import { AuditEventResponse } from './dto/audit-event.response.js';
import type { ListAuditEventsQuery } from './dto/list-audit-events.query.js';

export interface AuditRecord {
  action: string;
  entityType: AuditEntityType;
  entityId: string;
  engagementId?: string | null;
  changes: FieldChanges;
}

const NEWEST_FIRST = new Keyset<AuditEvent>(
  timeThenId('event.at', (event) => event.at, 'event.id'),
  'DESC',
);

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes an event with the caller's manager, so it commits or rolls back with the change.
   * A change that changed nothing is not an event.
   */
  record(manager: EntityManager, actor: Actor, record: AuditRecord): Promise<void> {
    return this.recordMany(manager, actor, [record]);
  }

  /** Writes events as `record` does, a few hundred rows a statement. */
  async recordMany(manager: EntityManager, actor: Actor, records: AuditRecord[]): Promise<void> {
    const rows = records
      .filter((record) => Object.keys(record.changes).length > 0)
      .map((record) => ({
        actorApiKeyId: actor.apiKeyId,
        actorName: actor.name,
        actorRole: actor.role,
        action: record.action,
        entityType: record.entityType,
        entityId: record.entityId,
        engagementId: record.engagementId ?? null,
        changes: record.changes,
      }));
    await insertInChunks(manager, AuditEvent, rows, { returning: false });
  }

  /** Newest first; a product owner sees only the events of engagements they own. */
  async list(actor: Actor, query: ListAuditEventsQuery): Promise<Page<AuditEventResponse>> {
    const builder = this.dataSource.getRepository(AuditEvent).createQueryBuilder('event');
    if (query.entityType)
      builder.andWhere('event.entityType = :entityType', { entityType: query.entityType });
    if (query.entityId)
      builder.andWhere('event.entityId = :entityId', { entityId: query.entityId });
    if (actor.role === 'product_owner') {
      builder.andWhere(
        'event.engagementId IN (SELECT id FROM engagements WHERE product_owner_id = :personId)',
        { personId: actor.personId },
      );
    }
    return keysetPage(builder, NEWEST_FIRST, query, AuditEventResponse.from);
  }
}
