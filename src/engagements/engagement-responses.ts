import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { runPrepared } from '../database/prepared.js';
import { RiskSummary } from '../risk/dto/risk.dto.js';
import { type FactsRow, toFacts } from '../risk/risk-facts.repository.js';
import { RiskService } from '../risk/risk.service.js';
import { EngagementResponse } from './dto/engagement.response.js';
import type { Criticality, Engagement, ExitPlan, SuccessMetric } from './engagement.entity.js';
import type { EngagementStatus } from './engagement-status.js';
import { EngagementNotFoundError } from './engagements.errors.js';

interface ResponseRow {
  id: string;
  title: string;
  vendor_id: string;
  contract_ref: string | null;
  status: EngagementStatus;
  product_owner_id: string;
  spec_problem: string;
  spec_success_metrics: SuccessMetric[];
  spec_constraints: string[];
  spec_trade_off_owner_id: string;
  spec_trade_off_rule: string | null;
  start_date: string | null;
  contract_end_date: string | null;
  notice_period_days: number;
  criticality: Criticality;
  exit_plan: ExitPlan | null;
  min_independent_operators: number;
  activated_at: Date | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  knowledge_recipient_ids: string[];
  risk_facts: FactsRow | null;
}

/**
 * Everything a response shows, in one prepared round trip: the engagement, its recipients
 * and its stored risk facts. One engagement is read by `= $1`, which PostgreSQL plans once
 * per connection (with `= ANY($1)` it expects several ids and plans again every time).
 */
const loadSql = (where: string) => `SELECT e.*,
       COALESCE((SELECT array_agg(r.person_id::text ORDER BY r.person_id)
                   FROM engagement_knowledge_recipients r WHERE r.engagement_id = e.id),
                '{}') AS knowledge_recipient_ids,
       to_jsonb(f) AS risk_facts
  FROM engagements e
  LEFT JOIN engagement_risk_facts f ON f.engagement_id = e.id
 WHERE ${where}`;
const LOAD_ONE = { name: 'engagement_response', text: loadSql('e.id = $1::uuid') };
const LOAD_MANY = { name: 'engagement_responses', text: loadSql('e.id = ANY($1::uuid[])') };

function engagementOf(row: ResponseRow): Engagement {
  return {
    id: row.id,
    title: row.title,
    vendorId: row.vendor_id,
    contractRef: row.contract_ref,
    status: row.status,
    productOwnerId: row.product_owner_id,
    specProblem: row.spec_problem,
    specSuccessMetrics: row.spec_success_metrics,
    specConstraints: row.spec_constraints,
    specTradeOffOwnerId: row.spec_trade_off_owner_id,
    specTradeOffRule: row.spec_trade_off_rule,
    startDate: row.start_date,
    contractEndDate: row.contract_end_date,
    noticePeriodDays: row.notice_period_days,
    criticality: row.criticality,
    exitPlan: row.exit_plan,
    minIndependentOperators: row.min_independent_operators,
    activatedAt: row.activated_at,
    completedAt: row.completed_at,
    cancelledAt: row.cancelled_at,
    cancelReason: row.cancel_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

/** Builds engagement responses (with recipients and today's risk) straight from rows. */
@Injectable()
export class EngagementResponses {
  constructor(
    private readonly dataSource: DataSource,
    private readonly risk: RiskService,
  ) {}

  /** Responses of these engagements, in the order of `ids` (missing ones are skipped). */
  async load(
    ids: string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<EngagementResponse[]> {
    if (ids.length === 0) return [];
    const rows =
      ids.length === 1
        ? await runPrepared<ResponseRow>(manager, LOAD_ONE, ids)
        : await runPrepared<ResponseRow>(manager, LOAD_MANY, [ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      const facts = row.risk_facts ? toFacts(row.risk_facts) : undefined;
      return [
        EngagementResponse.from(
          engagementOf(row),
          row.knowledge_recipient_ids,
          RiskSummary.from(this.risk.assess(facts)),
          {
            independentOperatorIds: facts ? this.risk.independentOperators(facts) : [],
            exitPlanLastTestedOn: facts?.passedExitRehearsals[0] ?? null,
          },
        ),
      ];
    });
  }

  async one(id: string, manager?: EntityManager): Promise<EngagementResponse> {
    const [response] = await this.load([id], manager);
    if (!response) throw new EngagementNotFoundError(id);
    return response;
  }
}
