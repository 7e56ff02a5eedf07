import { openStatusSql } from '../engagements/engagement-status.js';
import type { EntityManager } from 'typeorm';
import type { NewEvent } from '../events/events.service.js';
import { RISK_LEVELS } from '../risk/assess-risk.js';
import { EscalationResponse } from './dto/escalation.dto.js';
import { Escalation } from './escalation.entity.js';
import { escalatesOn, ESCALATION_LEVEL, levelRank } from './escalation-rules.js';

/** Engagements looked at per transaction: a large portfolio is escalated in bounded memory. */
const BATCH = 500;

export interface EscalationCandidate {
  engagement_id: string;
  vendor_id: string;
  /** Today's level. */
  level: string;
  since: string;
  acknowledged_until: string | null;
  open_escalation_id: string | null;
}

/**
 * Open engagements at high or above today, with what decides when they escalate: the day
 * their level was reached (the latest rise into it in the risk history, else their creation),
 * the latest acknowledgement that answers that level, and the open escalation.
 */
const candidates = (where: string) => `
SELECT t.engagement_id, t.vendor_id, levels.level,
       COALESCE(rise.changed_on, e.created_at::date)::text AS since,
       ack.until::text AS acknowledged_until,
       open_escalation.id AS open_escalation_id
  FROM risk_timeline t
  JOIN engagements e ON e.id = t.engagement_id
  CROSS JOIN LATERAL (SELECT ($2::text[])[t.level + 1] AS level) levels
  LEFT JOIN LATERAL (
    SELECT h.changed_on FROM risk_history h
     WHERE h.engagement_id = t.engagement_id
       AND array_position($2::text[], h.from_level) - 1 < t.level
       AND array_position($2::text[], h.to_level) - 1 >= t.level
     ORDER BY h.changed_on DESC LIMIT 1) rise ON TRUE
  LEFT JOIN LATERAL (
    SELECT a.until FROM risk_acknowledgements a
     WHERE a.engagement_id = t.engagement_id
       AND GREATEST(array_position($2::text[], a.level) - 1, $3::int) >= t.level
     ORDER BY a.acknowledged_at DESC LIMIT 1) ack ON TRUE
  LEFT JOIN escalations open_escalation
    ON open_escalation.engagement_id = t.engagement_id AND open_escalation.resolved_at IS NULL
 WHERE t.open AND t.valid_from <= $1::date AND t.valid_until > $1::date AND t.level >= $3::int
   AND ${where}
 ORDER BY t.engagement_id
 LIMIT ${BATCH}`;
const CANDIDATES_AFTER = candidates('t.engagement_id > $4::uuid');
const CANDIDATE = candidates('t.engagement_id = $4::uuid');

const parameters = (today: string, engagement: string) => [
  today,
  [...RISK_LEVELS],
  levelRank(ESCALATION_LEVEL),
  engagement,
];

/** Where one engagement stands, or undefined below high (or when closed). */
export async function escalationCandidate(
  manager: EntityManager,
  engagementId: string,
  today: string,
): Promise<EscalationCandidate | undefined> {
  const [row]: EscalationCandidate[] = await manager.query(
    CANDIDATE,
    parameters(today, engagementId),
  );
  return row;
}

const escalationEvent = (
  type: 'escalation.raised' | 'escalation.resolved',
  escalation: Escalation,
  vendorId: string,
): NewEvent => ({
  type,
  engagementId: escalation.engagementId,
  vendorId,
  data: { ...EscalationResponse.from(escalation) },
});

/**
 * Raises the escalations due today (SPEC §7), one batch of engagements per transaction. The
 * clock_triggers row of (engagement, escalation, the day it escalates) is what makes each
 * escalation fire once across instances; a later acknowledgement or a rise makes a new day.
 * An open escalation is raised again, at the new level, rather than opened twice.
 */
export async function raiseDueEscalations(
  transaction: <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T>,
  record: (manager: EntityManager, events: NewEvent[]) => Promise<unknown>,
  today: string,
  graceDays: number,
): Promise<number> {
  let after = '00000000-0000-0000-0000-000000000000';
  let raised = 0;
  for (;;) {
    const batch = await transaction(async (manager) => {
      const rows: EscalationCandidate[] = await manager.query(
        CANDIDATES_AFTER,
        parameters(today, after),
      );
      const due = rows
        .map((row) => ({
          row,
          on: escalatesOn({
            since: row.since,
            acknowledgedUntil: row.acknowledged_until,
            graceDays,
          }),
        }))
        .filter(({ on }) => on <= today);
      const claimed: { subject_id: string }[] =
        due.length === 0
          ? []
          : await manager.query(
              `INSERT INTO clock_triggers (subject_id, kind, on_date)
               SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::date[])
               ON CONFLICT DO NOTHING RETURNING subject_id`,
              [
                due.map(({ row }) => row.engagement_id),
                due.map(() => 'escalation'),
                due.map(({ on }) => on),
              ],
            );
      const claimedIds = new Set(claimed.map((trigger) => trigger.subject_id));
      const events: NewEvent[] = [];
      for (const { row } of due) {
        if (!claimedIds.has(row.engagement_id)) continue;
        const escalation = await raise(manager, row);
        events.push(escalationEvent('escalation.raised', escalation, row.vendor_id));
      }
      await record(manager, events);
      return { rows, raised: events.length };
    });
    raised += batch.raised;
    if (batch.rows.length < BATCH) return raised;
    after = batch.rows[batch.rows.length - 1].engagement_id;
  }
}

async function raise(manager: EntityManager, row: EscalationCandidate): Promise<Escalation> {
  const fields = { level: row.level, since: row.since, acknowledgedAt: null };
  if (row.open_escalation_id) {
    await manager.update(
      Escalation,
      { id: row.open_escalation_id },
      { ...fields, raisedAt: () => 'now()' },
    );
    return manager.findOneByOrFail(Escalation, { id: row.open_escalation_id });
  }
  return manager.save(
    manager.create(Escalation, {
      ...fields,
      engagementId: row.engagement_id,
      raisedAt: new Date(),
    }),
  );
}

/**
 * Resolves the open escalations of engagements now below high or closed (SPEC §7), in one
 * statement: of instances sweeping at once, the row lock lets one resolve each.
 */
export async function resolveSettledEscalations(
  manager: EntityManager,
  today: string,
  engagementId: string | null = null,
): Promise<NewEvent[]> {
  const rows: (Record<string, unknown> & { vendor_id: string })[] = await manager.query(
    `WITH settled AS (
       UPDATE escalations es SET resolved_at = now()
         FROM engagements e
        WHERE es.engagement_id = e.id AND es.resolved_at IS NULL
          AND ($3::uuid IS NULL OR es.engagement_id = $3::uuid)
          AND (NOT ${openStatusSql('e.status')} OR NOT EXISTS (
                SELECT 1 FROM risk_timeline t
                 WHERE t.engagement_id = e.id AND t.valid_from <= $1::date
                   AND t.valid_until > $1::date AND t.level >= $2::int))
       RETURNING es.*, e.vendor_id)
     SELECT * FROM settled`,
    [today, levelRank(ESCALATION_LEVEL), engagementId],
  );
  return rows.map((row) =>
    escalationEvent(
      'escalation.resolved',
      manager.create(Escalation, {
        id: row.id as string,
        engagementId: row.engagement_id as string,
        level: row.level as string,
        since: row.since as string,
        raisedAt: row.raised_at as Date,
        acknowledgedAt: row.acknowledged_at as Date | null,
        resolvedAt: row.resolved_at as Date | null,
      }),
      row.vendor_id,
    ),
  );
}
