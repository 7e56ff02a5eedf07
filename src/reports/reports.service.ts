import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, LessThan } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { actorOf, EventsService } from '../events/events.service.js';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { Keyset, keysetPage, type Page, type PageQuery } from '../common/pagination.js';
import { ValidationProblem } from '../common/problem.js';
import {
  type EngagementStatus,
  isClosed,
  openStatusSql,
} from '../engagements/engagement-status.js';
import { type FactsRow, toFacts } from '../risk/risk-facts.repository.js';
import { RiskService } from '../risk/risk.service.js';
import {
  buildWeeklyReport,
  type ReportAcknowledgement,
  type ReportInput,
} from './build-weekly-report.js';
import { WeeklyReportResponse, type WeeklyReportSummary } from './dto/weekly-report.dto.js';
import { isoWeekOf, isValidIsoWeek } from './iso-week.js';
import {
  ReportNotFoundError,
  ReportOfWeekNotFoundError,
  WeekNotCurrentError,
} from './reports.errors.js';
import { WeeklyReport } from './weekly-report.entity.js';

type ReportRow = FactsRow & {
  id: string;
  title: string;
  status: EngagementStatus;
  vendor_id: string;
  vendor_name: string;
  product_owner_id: string;
  product_owner_name: string;
  escalation_level: string | null;
  escalation_since: string | null;
  escalation_raised_at: Date | null;
  escalation_acknowledged_at: Date | null;
};

interface AcknowledgementRow {
  id: string;
  engagement_id: string;
  title: string;
  level: string;
  note: string;
  until: string;
  acknowledged_at: Date;
  acknowledged_by: string;
}

/**
 * `acknowledged_at` is the time its transaction began: one that began before the previous
 * report and committed after that report read the acknowledgements is older than the report,
 * yet was not in it. Reading this much further back, and dropping those that report listed,
 * puts every acknowledgement in exactly one report.
 */
const ACKNOWLEDGEMENT_OVERLAP_MS = 60 * 60 * 1000;

const REPORTED = `${openStatusSql('e.status')} OR e.id = ANY($1::uuid[])`;

const NEWEST_WEEK_FIRST = new Keyset<WeeklyReport>(
  [{ sql: 'report.week', kind: 'text', cursorValue: (report) => report.week }],
  'DESC',
);

@Injectable()
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly risk: RiskService,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly clock: Clock,
  ) {}

  /**
   * The report of the current ISO week: created by the first call (`created: true`), returned
   * by every later one. A transaction-scoped advisory lock per week serialises concurrent
   * calls from any number of instances; the unique week is the last line of defence.
   */
  async generate(
    actor: Actor,
    week: string | undefined,
  ): Promise<{ created: boolean; report: WeeklyReportResponse }> {
    const today = this.clock.today();
    const current = isoWeekOf(today);
    if (week !== undefined && !isValidIsoWeek(week)) {
      throw new ValidationProblem([{ field: 'week', message: `week ${week} does not exist` }]);
    }
    if (week !== undefined && week !== current) throw new WeekNotCurrentError(current);
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `SELECT pg_advisory_xact_lock(hashtext('handover:weekly-report:' || $1))`,
        [current],
      );
      const existing = await manager.findOneBy(WeeklyReport, { week: current });
      if (existing) return { created: false, report: WeeklyReportResponse.from(existing) };
      const previous = await manager.findOne(WeeklyReport, {
        where: { week: LessThan(current) },
        order: { week: 'DESC' },
      });
      const inputs = await this.inputs(
        manager,
        previous?.content.engagements.map((entry) => entry.engagementId) ?? [],
        today,
      );
      const content = buildWeeklyReport(
        inputs.filter((input) => input.status === 'draft' || input.status === 'active'),
        inputs.filter((input) => isClosed(input.status)),
        previous?.content ?? null,
        await this.acknowledgementsSince(
          manager,
          previous ? new Date(previous.generatedAt.getTime() - ACKNOWLEDGEMENT_OVERLAP_MS) : null,
        ),
      );
      const report = await manager.save(
        manager.create(WeeklyReport, {
          week: current,
          asOf: today,
          generatedByApiKeyId: actor.apiKeyId,
          content,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'report.generated',
        entityType: 'report',
        entityId: report.id,
        changes: { week: { from: null, to: current } },
      });
      // Last: the event feed's commit-order lock is held from here to the commit.
      await this.events.record(manager, actorOf(actor), [
        { type: 'report.created', data: { id: report.id, week: current, totals: content.totals } },
      ]);
      return { created: true, report: WeeklyReportResponse.from(report) };
    });
  }

  async list(query: PageQuery): Promise<Page<WeeklyReportSummary>> {
    const builder = this.dataSource.getRepository(WeeklyReport).createQueryBuilder('report');
    return keysetPage(builder, NEWEST_WEEK_FIRST, query, (report) => ({
      id: report.id,
      week: report.week,
      generatedAt: report.generatedAt.toISOString(),
      totals: report.content.totals,
    }));
  }

  async get(id: string): Promise<WeeklyReportResponse> {
    const report = await this.dataSource.getRepository(WeeklyReport).findOneBy({ id });
    if (!report) throw new ReportNotFoundError(id);
    return WeeklyReportResponse.from(report);
  }

  async getByWeek(week: string): Promise<WeeklyReportResponse> {
    if (!isValidIsoWeek(week)) {
      throw new ValidationProblem([
        { field: 'week', message: 'week must be an ISO week such as 2026-W47' },
      ]);
    }
    const report = await this.dataSource.getRepository(WeeklyReport).findOneBy({ week });
    if (!report) throw new ReportOfWeekNotFoundError(week);
    return WeeklyReportResponse.from(report);
  }

  /**
   * Open engagements and the given ones, with names, final handover, open escalation and
   * stored risk facts: one statement, judged in memory (the report keeps every signal, and
   * the independent operators counted from the facts' operator evidence as of `asOf`). The
   * escalation join adds no rows: at most one escalation per engagement is open (a unique
   * index says so).
   */
  private async inputs(
    manager: EntityManager,
    alsoIds: string[],
    asOf: string,
  ): Promise<ReportInput[]> {
    const rows: ReportRow[] = await manager.query(
      `SELECT f.*, e.id, e.title, e.status, v.id AS vendor_id, v.name AS vendor_name,
              p.id AS product_owner_id, p.name AS product_owner_name,
              x.level AS escalation_level, x.since AS escalation_since,
              x.raised_at AS escalation_raised_at, x.acknowledged_at AS escalation_acknowledged_at
         FROM engagements e
         JOIN vendors v ON v.id = e.vendor_id
         JOIN people p ON p.id = e.product_owner_id
         JOIN engagement_risk_facts f ON f.engagement_id = e.id
         LEFT JOIN escalations x ON x.engagement_id = e.id AND x.resolved_at IS NULL
        WHERE ${REPORTED}`,
      [alsoIds],
    );
    return rows.map((row) => {
      const facts = toFacts(row);
      return {
        engagementId: row.id,
        title: row.title,
        status: row.status,
        vendor: { id: row.vendor_id, name: row.vendor_name },
        productOwner: { id: row.product_owner_id, name: row.product_owner_name },
        assessment: this.risk.assess(facts, asOf),
        independentOperators: this.risk.independentOperators(facts, asOf).length,
        finalHandover: row.final_due_date
          ? { dueDate: row.final_due_date, baselineDueDate: row.final_baseline_due_date }
          : null,
        escalation:
          row.escalation_level && row.escalation_since && row.escalation_raised_at
            ? {
                level: row.escalation_level,
                since: row.escalation_since,
                raisedAt: row.escalation_raised_at.toISOString(),
                acknowledgedAt: row.escalation_acknowledged_at?.toISOString() ?? null,
              }
            : null,
      };
    });
  }

  /** Every engagement's risk acknowledgements after the given time (all of them without one). */
  private async acknowledgementsSince(
    manager: EntityManager,
    after: Date | null,
  ): Promise<ReportAcknowledgement[]> {
    const rows: AcknowledgementRow[] = await manager.query(
      `SELECT a.id, a.engagement_id, e.title, a.level, a.note, a.until, a.acknowledged_at,
              a.acknowledged_by->>'name' AS acknowledged_by
         FROM risk_acknowledgements a
         JOIN engagements e ON e.id = a.engagement_id
        WHERE $1::timestamptz IS NULL OR a.acknowledged_at > $1`,
      [after],
    );
    return rows.map((row) => ({
      id: row.id,
      engagementId: row.engagement_id,
      title: row.title,
      level: row.level,
      note: row.note,
      until: row.until,
      acknowledgedAt: row.acknowledged_at.toISOString(),
      acknowledgedBy: row.acknowledged_by,
    }));
  }
}
