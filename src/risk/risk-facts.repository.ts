import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { runPrepared } from '../database/prepared.js';
import type { EngagementStatus } from '../engagements/engagement-status.js';
import { lastSafeHandoverDateSql } from '../engagements/exit-clock.js';
import type { Criticality } from '../engagements/engagement.entity.js';
import type { RiskFacts } from './assess-risk.js';

/** A row of engagement_risk_facts as PostgreSQL returns it. */
export interface FactsRow {
  engagement_id: string;
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
  criticality: Criticality;
  has_exit_plan: boolean;
  operator_evidence: { personId: string; performedOn: string }[];
  exit_rehearsals: string[];
  recipients_not_upskilled: number;
}

export const FACTS_COLUMNS = [
  'engagement_id',
  'status',
  'last_safe_handover_date',
  'final_due_date',
  'final_baseline_due_date',
  'final_completed_on',
  'final_slip_count',
  'open_milestones',
  'unaccepted_by_due_date',
  'artifact_count',
  'accepted_count',
  'rejected_count',
  'recipient_count',
  'criticality',
  'has_exit_plan',
  'operator_evidence',
  'exit_rehearsals',
  'recipients_not_upskilled',
] as const;

/**
 * The one definition of how the facts follow from the source tables: for the engagements
 * `e` that `where` selects, in the order of FACTS_COLUMNS. Each aggregate reads one
 * engagement's rows by index, so it serves one engagement in a write and all of them in a
 * rebuild or a verification alike.
 */
export function computedFactsSql(where: string): string {
  return `
SELECT e.id AS engagement_id,
       e.status,
       ${lastSafeHandoverDateSql('e')} AS last_safe_handover_date,
       fh.due_date AS final_due_date,
       fh.baseline_due_date AS final_baseline_due_date,
       fh.completed_on AS final_completed_on,
       (SELECT count(*)::int FROM milestone_date_changes c
         WHERE c.milestone_id = fh.id AND c.to_date > c.from_date) AS final_slip_count,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'dueDate', m.due_date) ORDER BY m.due_date, m.id)
                   FROM milestones m
                  WHERE m.engagement_id = e.id AND m.kind <> 'final_handover' AND m.completed_on IS NULL),
                '[]'::jsonb) AS open_milestones,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('dueDate', g.due_date, 'count', g.n) ORDER BY g.due_date)
                   FROM (SELECT m.due_date, count(*)::int AS n
                           FROM artifacts a JOIN milestones m ON m.id = a.milestone_id
                          WHERE a.engagement_id = e.id AND a.status <> 'accepted'
                          GROUP BY m.due_date) g),
                '[]'::jsonb) AS unaccepted_by_due_date,
       ac.total AS artifact_count,
       ac.accepted AS accepted_count,
       ac.rejected AS rejected_count,
       (SELECT count(*)::int FROM engagement_knowledge_recipients r
         WHERE r.engagement_id = e.id) AS recipient_count,
       e.criticality,
       e.exit_plan IS NOT NULL AS has_exit_plan,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('personId', x.person_id, 'performedOn', x.performed_on)
                                  ORDER BY x.performed_on DESC, x.person_id)
                   FROM (SELECT DISTINCT p.person_id, d.performed_on
                           FROM drills d
                           JOIN drill_participants p ON p.drill_id = d.id
                           JOIN engagement_knowledge_recipients r
                             ON r.engagement_id = e.id AND r.person_id = p.person_id
                          WHERE d.engagement_id = e.id AND d.outcome = 'passed'
                            AND d.vendor_assistance = 'none') x),
                '[]'::jsonb) AS operator_evidence,
       COALESCE((SELECT jsonb_agg(x.performed_on ORDER BY x.performed_on DESC)
                   FROM (SELECT DISTINCT d.performed_on FROM drills d
                          WHERE d.engagement_id = e.id AND d.kind = 'exit_rehearsal'
                            AND d.outcome = 'passed') x),
                '[]'::jsonb) AS exit_rehearsals,
       (SELECT count(*)::int FROM engagement_knowledge_recipients r
         WHERE r.engagement_id = e.id
           AND NOT EXISTS (SELECT 1 FROM learning_sprints s
                             JOIN learning_sprint_learners l ON l.sprint_id = s.id
                            WHERE s.engagement_id = e.id AND l.person_id = r.person_id
                              AND s.ends_on <= fh.due_date)) AS recipients_not_upskilled
  FROM engagements e
  LEFT JOIN milestones fh ON fh.engagement_id = e.id AND fh.kind = 'final_handover'
 CROSS JOIN LATERAL (
       SELECT count(*)::int AS total,
              count(*) FILTER (WHERE a.status = 'accepted')::int AS accepted,
              count(*) FILTER (WHERE a.status = 'rejected')::int AS rejected
         FROM artifacts a WHERE a.engagement_id = e.id) ac
 WHERE ${where}`;
}

const UPSERT_COLUMNS = FACTS_COLUMNS.filter((column) => column !== 'engagement_id')
  .map((column) => `${column} = EXCLUDED.${column}`)
  .join(', ');

/** Writes the facts of the selected engagements from the source tables. */
export function refreshFactsSql(where: string, returning = ''): string {
  return `INSERT INTO engagement_risk_facts (${FACTS_COLUMNS.join(', ')})
${computedFactsSql(where)}
ON CONFLICT (engagement_id) DO UPDATE SET ${UPSERT_COLUMNS}
${returning}`;
}

const REFRESH_ONE = {
  name: 'risk_facts_refresh',
  text: refreshFactsSql('e.id = $1', 'RETURNING *'),
};

const REFRESH_MANY = {
  name: 'risk_facts_refresh_many',
  text: refreshFactsSql('e.id = ANY($1::uuid[])', 'RETURNING *'),
};

const READ_ONE = {
  name: 'risk_facts_read',
  text: 'SELECT * FROM engagement_risk_facts WHERE engagement_id = $1::uuid',
};
const READ_MANY = {
  name: 'risk_facts_read_many',
  text: 'SELECT * FROM engagement_risk_facts WHERE engagement_id = ANY($1::uuid[])',
};

export function toFacts(row: FactsRow): RiskFacts {
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
    criticality: row.criticality,
    hasExitPlan: row.has_exit_plan,
    operatorEvidence: row.operator_evidence,
    passedExitRehearsals: row.exit_rehearsals,
    recipientsNotUpskilled: row.recipients_not_upskilled,
  };
}

/** The stored risk facts: refreshed inside writes, read by every judgement. */
@Injectable()
export class RiskFactsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Recomputes one engagement's facts from its rows, in the caller's transaction. */
  async refresh(manager: EntityManager, engagementId: string): Promise<RiskFacts> {
    const [row] = await runPrepared<FactsRow>(manager, REFRESH_ONE, [engagementId]);
    return toFacts(row);
  }

  /** Recomputes the facts of many engagements in one statement, keyed by id. */
  async refreshMany(manager: EntityManager, ids: string[]): Promise<Map<string, RiskFacts>> {
    const rows = await runPrepared<FactsRow>(manager, REFRESH_MANY, [ids]);
    return new Map(rows.map((row) => [row.engagement_id, toFacts(row)]));
  }

  /** Stored facts of the given engagements, keyed by id (missing ids are absent). */
  async forEngagements(
    ids: string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, RiskFacts>> {
    if (ids.length === 0) return new Map();
    const rows =
      ids.length === 1
        ? await runPrepared<FactsRow>(manager, READ_ONE, ids)
        : await runPrepared<FactsRow>(manager, READ_MANY, [ids]);
    return new Map(rows.map((row) => [row.engagement_id, toFacts(row)]));
  }
}
