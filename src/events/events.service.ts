import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { Keyset, keysetPage, type Page } from '../common/pagination.js';
import { DomainEvent, type EventActor } from './event.entity.js';
import type { EventType } from './event-types.js';
import { EventResponse, type ListEventsQuery } from './dto/event.dto.js';

/** Any 64-bit number unique to this application: held from the first event of a write to its commit. */
const COMMIT_ORDER_LOCK = 4_827_310_118;

/**
 * Inserts the events and, in the same statement, one delivery per matching enabled endpoint
 * (SPEC §6): the outbox commits or rolls back with the change. RETURNING keeps input order.
 * The events come as one JSON array ($1, serialized once) and share their actor ($2).
 */
const RECORD_AND_FAN_OUT = `
WITH recorded AS (
  INSERT INTO events (type, engagement_id, vendor_id, actor, data)
  SELECT e.type, e.engagement_id, e.vendor_id, $2::jsonb, e.data
    FROM jsonb_to_recordset($1::jsonb)
      AS e(type varchar, engagement_id uuid, vendor_id uuid, data jsonb)
  RETURNING id, type, engagement_id, vendor_id
), fanned_out AS (
  INSERT INTO webhook_deliveries (endpoint_id, event_id, message_id, event_type, next_attempt_at)
  SELECT endpoint.id, recorded.id, recorded.id, recorded.type, now()
    FROM recorded
    JOIN webhook_endpoints endpoint
      ON endpoint.enabled
     AND endpoint.event_types && ARRAY[recorded.type, '*']::varchar[]
     AND (endpoint.engagement_id IS NULL OR endpoint.engagement_id = recorded.engagement_id)
     AND (endpoint.vendor_id IS NULL OR endpoint.vendor_id = recorded.vendor_id)
  RETURNING 1
)
SELECT id, (SELECT count(*) FROM fanned_out)::int AS deliveries FROM recorded`;

/** Events per INSERT of `record`, which keeps their order across statements. */
const EVENTS_PER_STATEMENT = 1000;

/** Set on a transaction's query runner once it queued deliveries: its commit wakes the worker. */
export const DELIVERIES_QUEUED = 'handover:deliveriesQueued';

export interface NewEvent {
  type: EventType;
  engagementId?: string | null;
  vendorId?: string | null;
  data: Record<string, unknown>;
}

export const actorOf = (actor: Actor): EventActor => ({
  apiKeyId: actor.apiKeyId,
  name: actor.name,
  role: actor.role,
});

const IN_FEED_ORDER = new Keyset<DomainEvent>([
  { sql: 'event.seq', kind: 'bigint', cursorValue: (event) => Number(event.seq) },
]);

@Injectable()
export class EventsService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes events in the caller's transaction, so they commit or roll back with the change.
   * A transaction-scoped lock, held until commit, makes `seq` follow commit order: a reader
   * polling with the last seq it saw never misses a later commit of a lower seq. Call it as
   * the last step of a write. Returns the ids, in order.
   */
  async record(manager: EntityManager, actor: EventActor, events: NewEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    await manager.query('SELECT pg_advisory_xact_lock($1)', [COMMIT_ORDER_LOCK]);
    const actorJson = JSON.stringify(actor);
    const ids: string[] = [];
    // A statement per chunk: only one chunk's data is held as JSON text at a time.
    for (let start = 0; start < events.length; start += EVENTS_PER_STATEMENT) {
      const chunk = events.slice(start, start + EVENTS_PER_STATEMENT);
      const rows: { id: string; deliveries: number }[] = await manager.query(RECORD_AND_FAN_OUT, [
        JSON.stringify(
          chunk.map((event) => ({
            type: event.type,
            engagement_id: event.engagementId ?? null,
            vendor_id: event.vendorId ?? null,
            data: event.data,
          })),
        ),
        actorJson,
      ]);
      if (manager.queryRunner && rows[0].deliveries > 0) {
        manager.queryRunner.data[DELIVERIES_QUEUED] = true;
      }
      for (const row of rows) ids.push(row.id);
    }
    return ids;
  }

  /** The feed, oldest first; a product owner sees the events of the engagements they own. */
  async list(actor: Actor, query: ListEventsQuery): Promise<Page<EventResponse>> {
    const builder = this.dataSource.getRepository(DomainEvent).createQueryBuilder('event');
    if (query.type) builder.andWhere('event.type IN (:...types)', { types: query.type });
    if (query.engagementId)
      builder.andWhere('event.engagementId = :engagementId', { engagementId: query.engagementId });
    if (query.vendorId)
      builder.andWhere('event.vendorId = :vendorId', { vendorId: query.vendorId });
    if (actor.role === 'product_owner') {
      builder.andWhere(
        'event.engagementId IN (SELECT id FROM engagements WHERE product_owner_id = :personId)',
        { personId: actor.personId },
      );
    }
    const after = query.cursor
      ? IN_FEED_ORDER.decode(query.cursor)
      : query.after === undefined
        ? null
        : [query.after];
    return keysetPage(builder, IN_FEED_ORDER, query, EventResponse.from, after);
  }
}
