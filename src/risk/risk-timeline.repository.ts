import { openStatusSql } from '../engagements/engagement-status.js';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { runPrepared } from '../database/prepared.js';
import type { RiskPolicy } from '../config/policies.js';
import { RISK_LEVELS, RISK_RULES_VERSION, type RiskFacts } from './assess-risk.js';
import { type RiskSegment, riskTimeline } from './risk-timeline.js';

/** A stored segment as PostgreSQL returns it ('-infinity'/'infinity' for open ends). */
export interface SegmentRow {
  valid_from: string;
  valid_until: string;
  level: number;
  score: number;
  signals: number;
}

const CLEAR_ONE = {
  name: 'risk_timeline_clear',
  text: 'DELETE FROM risk_timeline WHERE engagement_id = $1::uuid',
};
const CLEAR_MANY = {
  name: 'risk_timeline_clear_many',
  text: 'DELETE FROM risk_timeline WHERE engagement_id = ANY($1::uuid[])',
};

/** The segments, with the engagement's vendor and openness as they are in this transaction. */
const INSERT = {
  name: 'risk_timeline_insert',
  text: `INSERT INTO risk_timeline (engagement_id, engagement_created_at, valid_from, valid_until, level, score, signals, derived_on, vendor_id, open)
SELECT s.*, $8::date, e.vendor_id, ${openStatusSql('e.status')}
  FROM unnest($1::uuid[], $2::timestamptz[], $3::date[], $4::date[], $5::smallint[], $6::smallint[], $7::int[])
       AS s (engagement_id, engagement_created_at, valid_from, valid_until, level, score, signals)
  JOIN engagements e ON e.id = s.engagement_id`,
};

export function segmentRow(segment: RiskSegment): SegmentRow {
  return {
    valid_from: segment.from ?? '-infinity',
    valid_until: segment.until ?? 'infinity',
    level: RISK_LEVELS.indexOf(segment.level),
    score: segment.score,
    signals: segment.signalMask,
  };
}

/** Which rules and thresholds a stored timeline was derived with. */
export function timelineFingerprint(policy: RiskPolicy): string {
  return createHash('sha256')
    .update(JSON.stringify({ rules: RISK_RULES_VERSION, policy }))
    .digest('hex');
}

export interface TimelineSubject {
  engagementId: string;
  createdAt: Date;
  facts: RiskFacts;
}

/**
 * Replaces the stored timelines of these engagements with the ones their facts give, derived
 * on `today` (the clock tells of a change of level only for days after it): two statements
 * for any number of engagements.
 */
export async function writeTimelines(
  manager: EntityManager,
  subjects: TimelineSubject[],
  policy: RiskPolicy,
  today: string,
): Promise<void> {
  if (subjects.length === 0) return;
  const columns: unknown[][] = [[], [], [], [], [], [], []];
  for (const subject of subjects) {
    for (const segment of riskTimeline(subject.facts, policy)) {
      const row = segmentRow(segment);
      const values = [
        subject.engagementId,
        subject.createdAt,
        row.valid_from,
        row.valid_until,
        row.level,
        row.score,
        row.signals,
      ];
      values.forEach((value, index) => columns[index].push(value));
    }
  }
  const ids = subjects.map((subject) => subject.engagementId);
  if (ids.length === 1) await runPrepared(manager, CLEAR_ONE, ids);
  else await runPrepared(manager, CLEAR_MANY, [ids]);
  await runPrepared(manager, INSERT, [...columns, today]);
}
