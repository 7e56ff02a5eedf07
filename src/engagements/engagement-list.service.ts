import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { type CursorPosition, Keyset, type Page, timeThenId } from '../common/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { namedByText, runPrepared } from '../database/prepared.js';
import { escapeLike } from '../common/query-helpers.js';
import { RISK_LEVELS } from '../risk/assess-risk.js';
import type { EngagementFilters, ListEngagementsQuery } from './dto/engagement.dto.js';
import type { EngagementResponse } from './dto/engagement.response.js';
import { EngagementResponses } from './engagement-responses.js';

const HIGH = RISK_LEVELS.indexOf('high');

interface PageRow {
  id: string;
  created_at: Date;
  score?: number;
}

/** SQL text with its positional parameters, built up condition by condition. */
class Sql {
  readonly parameters: unknown[] = [];
  readonly conditions: string[] = [];

  param(value: unknown): string {
    this.parameters.push(value);
    return `$${this.parameters.length}`;
  }

  where(condition: string): void {
    this.conditions.push(condition);
  }

  get whereClause(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/** Creation order, oldest first, of the engagements (alias `e`) or their timelines (`t`). */
const creationColumns = (createdAt: string, id: string) =>
  timeThenId<PageRow>(createdAt, (row) => row.created_at, id);
const BY_CREATION = new Keyset(creationColumns('e.created_at', 'e.id'));
const TIMELINE_BY_CREATION = new Keyset(
  creationColumns('t.engagement_created_at', 't.engagement_id'),
);
/** Highest score first, in the order of the index on `(-score, engagement_created_at, engagement_id)`. */
const TIMELINE_BY_SCORE = new Keyset<PageRow>([
  {
    sql: 't.score',
    kind: 'int',
    range: [0, 100],
    reversed: true,
    cursorValue: (row) => row.score!,
  },
  ...creationColumns('t.engagement_created_at', 't.engagement_id'),
]);

const byRisk = (query: EngagementFilters & { sort?: ListEngagementsQuery['sort'] }) =>
  query.sort === '-riskScore' ||
  query.minRiskLevel !== undefined ||
  query.dependencyTrap !== undefined;

const keysetOf = (query: EngagementFilters & { sort?: ListEngagementsQuery['sort'] }) =>
  query.sort === '-riskScore'
    ? TIMELINE_BY_SCORE
    : byRisk(query)
      ? TIMELINE_BY_CREATION
      : BY_CREATION;

/**
 * The engagement list: filters and keyset pages in SQL. Risk filters and the risk order read
 * the stored risk timelines at today's date, so no page loads more rows than it shows.
 */
@Injectable()
export class EngagementListService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly responses: EngagementResponses,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(query: ListEngagementsQuery): Promise<Page<EngagementResponse>> {
    const keyset = keysetOf(query);
    const after = keyset.positionOf(query.cursor);
    const { text, parameters } = this.selection(query, { after, limit: query.limit + 1 });
    const rows = await runPrepared<PageRow>(this.dataSource.manager, namedByText(text), parameters);
    const page = keyset.page(rows, query.limit, (row) => row.id);
    return { items: await this.responses.load(page.items), nextCursor: page.nextCursor };
  }

  /**
   * The statement that selects the ids (with `created_at` and `score`, the keyset) of the
   * engagements the filters match, in the list's order: after `after` and at most `limit`
   * when given (an export reads it whole through a cursor).
   */
  selection(
    query: EngagementFilters & { sort?: ListEngagementsQuery['sort'] },
    { after, limit }: { after?: CursorPosition | null; limit?: number } = {},
  ): { text: string; parameters: unknown[] } {
    const keyset = keysetOf(query);
    const sql = new Sql();
    const engagementFilters = this.engagementFilters(query, sql);
    if (after) sql.where(keyset.conditionAfter(after, (value) => sql.param(value)));
    let text: string;
    if (byRisk(query)) {
      const asOf = sql.param(this.clock.today());
      sql.where(`t.valid_from <= ${asOf}::date AND t.valid_until > ${asOf}::date`);
      if (query.minRiskLevel) {
        sql.where(`t.level >= ${sql.param(RISK_LEVELS.indexOf(query.minRiskLevel))}`);
      }
      if (query.dependencyTrap !== undefined) {
        sql.where(query.dependencyTrap ? `t.level >= ${HIGH}` : `t.level < ${HIGH}`);
      }
      const join = engagementFilters ? 'JOIN engagements e ON e.id = t.engagement_id' : '';
      text = `SELECT t.engagement_id AS id, t.engagement_created_at AS created_at, t.score
                FROM risk_timeline t ${join} ${sql.whereClause}
               ORDER BY ${keyset.orderBy()}`;
    } else {
      text = `SELECT e.id, e.created_at FROM engagements e ${sql.whereClause}
               ORDER BY ${keyset.orderBy()}`;
    }
    if (limit !== undefined) text += ` LIMIT ${sql.param(limit)}`;
    return { text, parameters: sql.parameters };
  }

  /** Adds the filters on the engagement itself (alias `e`); true when there were any. */
  private engagementFilters(query: EngagementFilters, sql: Sql): boolean {
    const before = sql.conditions.length;
    if (query.status) sql.where(`e.status = ${sql.param(query.status)}`);
    if (query.vendorId) sql.where(`e.vendor_id = ${sql.param(query.vendorId)}`);
    if (query.productOwnerId) sql.where(`e.product_owner_id = ${sql.param(query.productOwnerId)}`);
    if (query.knowledgeRecipientId) {
      sql.where(
        `EXISTS (SELECT 1 FROM engagement_knowledge_recipients r
                  WHERE r.engagement_id = e.id AND r.person_id = ${sql.param(query.knowledgeRecipientId)})`,
      );
    }
    if (query.criticality) sql.where(`e.criticality = ${sql.param(query.criticality)}`);
    if (query.minIndependentOperators) {
      // Who counts on a day follows from the stored evidence (SPEC §8), as in independentOperators.
      const today = sql.param(this.clock.today());
      sql.where(
        `(SELECT count(DISTINCT x->>'personId') FROM engagement_risk_facts f
                 CROSS JOIN jsonb_array_elements(f.operator_evidence) x
           WHERE f.engagement_id = e.id
             AND (x->>'performedOn')::date BETWEEN ${today}::date - ${sql.param(this.config.risk.operatorEvidenceDays)}::int
                                             AND ${today}::date) >= ${sql.param(query.minIndependentOperators)}`,
      );
    }
    if (query.q) {
      sql.where(`e.title ILIKE ${sql.param(`%${escapeLike(query.q)}%`)} ESCAPE '\\'`);
    }
    if (query.handoverDueBefore || query.handoverDueAfter) {
      const bounds = [
        query.handoverDueBefore && `m.due_date <= ${sql.param(query.handoverDueBefore)}::date`,
        query.handoverDueAfter && `m.due_date >= ${sql.param(query.handoverDueAfter)}::date`,
      ].filter(Boolean);
      sql.where(
        `EXISTS (SELECT 1 FROM milestones m
                  WHERE m.engagement_id = e.id AND m.kind = 'final_handover' AND ${bounds.join(' AND ')})`,
      );
    }
    return sql.conditions.length > before;
  }
}
