import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EngagementStatus } from '../engagements/engagement-status.js';
import type { RiskFacts } from './assess-risk.js';

interface FactsRow {
  id: string;
  created_at: Date;
  status: EngagementStatus;
  last_safe_handover_date: string | null;
  final_due_date: string | null;
  final_baseline_due_date: string | null;
  final_completed_on: string | null;
  final_slip_count: number;
  open_milestones: { id: string; dueDate: string }[];
  unaccepted_by_due_date: { dueDate: string; count: number }[];
  artifact_count: number;
  accepted_count: number;
  rejected_count: number;
  recipient_count: number;
}

/**
 * One statement gathers the risk facts of any set of engagements with set-based aggregates,
 * so a single engagement and a portfolio of tens of thousands are judged from the same facts.
 * `targetSql` selects the engagements as `SELECT id FROM engagements …`.
 */
function factsSql(targetSql: string): string {
  return `
WITH target AS (${targetSql}),
final_handover AS (
  SELECT m.engagement_id, m.id, m.due_date, m.baseline_due_date, m.completed_on
    FROM milestones m JOIN target t ON t.id = m.engagement_id
   WHERE m.kind = 'final_handover'),
slips AS (
  SELECT f.engagement_id, count(*)::int AS slip_count
    FROM milestone_date_changes c JOIN final_handover f ON f.id = c.milestone_id
   WHERE c.to_date > c.from_date
   GROUP BY f.engagement_id),
open_milestones AS (
  SELECT m.engagement_id, jsonb_agg(jsonb_build_object('id', m.id, 'dueDate', m.due_date) ORDER BY m.due_date, m.id) AS items
    FROM milestones m JOIN target t ON t.id = m.engagement_id
   WHERE m.kind <> 'final_handover' AND m.completed_on IS NULL
   GROUP BY m.engagement_id),
artifact_counts AS (
  SELECT a.engagement_id,
         count(*)::int AS total,
         count(*) FILTER (WHERE a.status = 'accepted')::int AS accepted,
         count(*) FILTER (WHERE a.status = 'rejected')::int AS rejected
    FROM artifacts a JOIN target t ON t.id = a.engagement_id
   GROUP BY a.engagement_id),
unaccepted AS (
  SELECT grouped.engagement_id,
         jsonb_agg(jsonb_build_object('dueDate', grouped.due_date, 'count', grouped.n) ORDER BY grouped.due_date) AS items
    FROM (SELECT a.engagement_id, m.due_date, count(*)::int AS n
            FROM artifacts a
            JOIN target t ON t.id = a.engagement_id
            JOIN milestones m ON m.id = a.milestone_id
           WHERE a.status <> 'accepted'
           GROUP BY a.engagement_id, m.due_date) grouped
   GROUP BY grouped.engagement_id),
recipients AS (
  SELECT r.engagement_id, count(*)::int AS total
    FROM engagement_knowledge_recipients r JOIN target t ON t.id = r.engagement_id
   GROUP BY r.engagement_id)
SELECT e.id,
       e.created_at,
       e.status,
       CASE WHEN e.contract_end_date IS NULL THEN NULL
            ELSE (e.contract_end_date - e.notice_period_days)::date END AS last_safe_handover_date,
       f.due_date AS final_due_date,
       f.baseline_due_date AS final_baseline_due_date,
       f.completed_on AS final_completed_on,
       COALESCE(s.slip_count, 0) AS final_slip_count,
       COALESCE(o.items, '[]'::jsonb) AS open_milestones,
       COALESCE(u.items, '[]'::jsonb) AS unaccepted_by_due_date,
       COALESCE(ac.total, 0) AS artifact_count,
       COALESCE(ac.accepted, 0) AS accepted_count,
       COALESCE(ac.rejected, 0) AS rejected_count,
       COALESCE(r.total, 0) AS recipient_count
  FROM engagements e
  JOIN target t ON t.id = e.id
  LEFT JOIN final_handover f ON f.engagement_id = e.id
  LEFT JOIN slips s ON s.engagement_id = e.id
  LEFT JOIN open_milestones o ON o.engagement_id = e.id
  LEFT JOIN artifact_counts ac ON ac.engagement_id = e.id
  LEFT JOIN unaccepted u ON u.engagement_id = e.id
  LEFT JOIN recipients r ON r.engagement_id = e.id`;
}

function toFacts(row: FactsRow): RiskFacts {
  return {
    status: row.status,
    finalHandover: row.final_due_date
      ? {
          dueDate: row.final_due_date,
          baselineDueDate: row.final_baseline_due_date,
          completedOn: row.final_completed_on,
          slipCount: row.final_slip_count,
        }
      : null,
    openMilestones: row.open_milestones,
    unacceptedArtifactsByDueDate: row.unaccepted_by_due_date,
    artifactCount: row.artifact_count,
    acceptedArtifactCount: row.accepted_count,
    rejectedArtifactCount: row.rejected_count,
    knowledgeRecipientCount: row.recipient_count,
    lastSafeHandoverDate: row.last_safe_handover_date,
  };
}

export interface EngagementFacts {
  id: string;
  createdAt: Date;
  facts: RiskFacts;
}

@Injectable()
export class RiskFactsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Facts of the given engagements, keyed by id (missing ids are absent). */
  async forEngagements(
    ids: string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, RiskFacts>> {
    if (ids.length === 0) return new Map();
    const rows = await this.forTarget(
      'SELECT id FROM engagements WHERE id = ANY($1::uuid[])',
      [ids],
      manager,
    );
    return new Map(rows.map((row) => [row.id, row.facts]));
  }

  /** Facts of the engagements a query selects (`SELECT <id> AS id FROM engagements …`), in one statement. */
  async forTarget(
    targetSql: string,
    parameters: unknown[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<EngagementFacts[]> {
    const rows: FactsRow[] = await manager.query(factsSql(targetSql), parameters);
    return rows.map((row) => ({ id: row.id, createdAt: row.created_at, facts: toFacts(row) }));
  }
}
