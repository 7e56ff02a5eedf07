import type { DataSource, EntityManager } from 'typeorm';
import { todayUtc } from '../common/dates.js';
import type { RiskPolicy } from '../config/policies.js';
import {
  computedFactsSql,
  FACTS_COLUMNS,
  type FactsRow,
  refreshFactsSql,
  toFacts,
} from './risk-facts.repository.js';
import { riskTimeline } from './risk-timeline.js';
import {
  type SegmentRow,
  segmentRow,
  timelineFingerprint,
  writeTimelines,
} from './risk-timeline.repository.js';

/** Engagements per batch when timelines are rebuilt or verified: bounded memory at any size. */
const BATCH = 2000;

const TIMELINE_LOCK = `SELECT pg_advisory_xact_lock(hashtext('handover:risk-timeline'))`;

export type Progress = (message: string) => void;

export interface RiskMismatch {
  engagementId: string;
  /** `facts`: the stored facts differ from the source tables; `timeline`: the stored judgement
   * over time differs from what the stored facts give. */
  part: 'facts' | 'timeline';
  expected: unknown;
  stored: unknown;
}

type BatchRow = FactsRow & { created_at: Date };

/** Facts rows with their engagement's creation time, a batch at a time in id order. */
async function* factsBatches(manager: EntityManager, lock: boolean): AsyncGenerator<BatchRow[]> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: BatchRow[] = await manager.query(
      `SELECT f.*, e.created_at FROM engagement_risk_facts f
         JOIN engagements e ON e.id = f.engagement_id
        WHERE f.engagement_id > $1 ORDER BY f.engagement_id LIMIT ${BATCH}
        ${lock ? 'FOR UPDATE OF f' : ''}`,
      [after],
    );
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1].engagement_id;
  }
}

/** Rewrites every engagement's timeline from its stored facts, a batch at a time. */
export async function rebuildTimelines(
  manager: EntityManager,
  policy: RiskPolicy,
  progress: Progress = () => undefined,
): Promise<number> {
  let done = 0;
  // Engagements without facts rows cannot exist once facts are rebuilt; their timelines go too.
  await manager.query(
    'DELETE FROM risk_timeline t WHERE NOT EXISTS (SELECT 1 FROM engagement_risk_facts f WHERE f.engagement_id = t.engagement_id)',
  );
  for await (const rows of factsBatches(manager, true)) {
    await writeTimelines(
      manager,
      rows.map((row) => ({
        engagementId: row.engagement_id,
        createdAt: row.created_at,
        facts: toFacts(row),
      })),
      policy,
      todayUtc(),
    );
    done += rows.length;
    progress(`Risk timelines: ${done} engagements`);
  }
  await markTimelinesBuilt(manager, policy);
  return done;
}

async function markTimelinesBuilt(manager: EntityManager, policy: RiskPolicy): Promise<void> {
  await manager.query(
    `INSERT INTO risk_timeline_state (id, fingerprint, built_at) VALUES (1, $1, now())
     ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, built_at = EXCLUDED.built_at`,
    [timelineFingerprint(policy)],
  );
}

/**
 * Recomputes every engagement's facts from the source tables and its timeline from them:
 * what `npm run risk:rebuild` and the demo seed run. One transaction.
 */
export async function rebuildRisk(
  dataSource: DataSource,
  policy: RiskPolicy,
  progress: Progress = () => undefined,
): Promise<number> {
  return dataSource.transaction(async (manager) => {
    await manager.query(TIMELINE_LOCK);
    progress('Risk facts: recomputing from milestones, artifacts and recipients…');
    await manager.query(refreshFactsSql('TRUE'));
    return rebuildTimelines(manager, policy, progress);
  });
}

/**
 * Brings the stored timelines in line with the running rules and thresholds, at start-up:
 * they were derived with another rules version or other RISK_* settings, or never. Once
 * across instances: the first to take the lock rebuilds, the others find them current.
 */
export async function ensureTimelinesCurrent(
  dataSource: DataSource,
  policy: RiskPolicy,
  progress: Progress = () => undefined,
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    await manager.query(TIMELINE_LOCK);
    const [state]: { fingerprint: string }[] = await manager.query(
      'SELECT fingerprint FROM risk_timeline_state WHERE id = 1',
    );
    if (state?.fingerprint === timelineFingerprint(policy)) return false;
    progress('Risk rules or RISK_* settings changed: rebuilding the risk timelines');
    await rebuildTimelines(manager, policy, progress);
    return true;
  });
}

/**
 * Every difference between what is stored and what the source tables give: facts against
 * a recomputation, timelines against the stored facts, and the rules the timelines were
 * built with. Empty when all is consistent.
 */
export async function verifyRisk(
  dataSource: DataSource,
  policy: RiskPolicy,
  limit = 100,
): Promise<{ checked: number; mismatches: RiskMismatch[] }> {
  const manager = dataSource.manager;
  const list = (alias: string) => FACTS_COLUMNS.map((column) => `${alias}.${column}`).join(', ');
  const factRows: { engagement_id: string; expected: unknown; stored: unknown }[] =
    await manager.query(
      `WITH computed AS (${computedFactsSql('TRUE')})
       SELECT COALESCE(c.engagement_id, s.engagement_id) AS engagement_id,
              CASE WHEN c.engagement_id IS NULL THEN NULL ELSE to_jsonb(c) END AS expected,
              CASE WHEN s.engagement_id IS NULL THEN NULL ELSE to_jsonb(s) END AS stored
         FROM computed c FULL JOIN engagement_risk_facts s ON s.engagement_id = c.engagement_id
        WHERE (${list('c')}) IS DISTINCT FROM (${list('s')})
        ORDER BY 1 LIMIT ${limit}`,
    );
  const mismatches: RiskMismatch[] = factRows.map((row) => ({
    engagementId: row.engagement_id,
    part: 'facts',
    expected: row.expected,
    stored: row.stored,
  }));
  const [state]: { fingerprint: string }[] = await manager.query(
    'SELECT fingerprint FROM risk_timeline_state WHERE id = 1',
  );
  if (state?.fingerprint !== timelineFingerprint(policy)) {
    mismatches.push({
      engagementId: '*',
      part: 'timeline',
      expected: `timelines built with fingerprint ${timelineFingerprint(policy)}`,
      stored: state?.fingerprint ?? null,
    });
  }
  let checked = 0;
  for await (const rows of factsBatches(manager, false)) {
    checked += rows.length;
    const stored: (SegmentRow & { engagement_id: string })[] = await manager.query(
      `SELECT engagement_id, valid_from, valid_until, level, score, signals FROM risk_timeline
        WHERE engagement_id = ANY($1::uuid[]) ORDER BY engagement_id, valid_from`,
      [rows.map((row) => row.engagement_id)],
    );
    const storedById = new Map<string, SegmentRow[]>();
    for (const { engagement_id, ...segment } of stored) {
      storedById.set(engagement_id, [...(storedById.get(engagement_id) ?? []), segment]);
    }
    for (const row of rows) {
      const expected = riskTimeline(toFacts(row), policy).map(segmentRow);
      const actual = storedById.get(row.engagement_id) ?? [];
      if (JSON.stringify(expected) !== JSON.stringify(actual) && mismatches.length < limit) {
        mismatches.push({
          engagementId: row.engagement_id,
          part: 'timeline',
          expected,
          stored: actual,
        });
      }
    }
  }
  return { checked, mismatches };
}
