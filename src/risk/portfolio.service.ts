import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination.js';
import { runPrepared } from '../database/prepared.js';
import { ratio } from '../common/ratio.js';
import type { EngagementStatus } from '../engagements/engagement-status.js';
import { VendorNotFoundError } from '../vendors/vendors.errors.js';
import { RISK_LEVELS, type RiskLevel, SIGNAL_CODES, type SignalCode } from './assess-risk.js';
import {
  emptyLevelCounts,
  type FlaggedEngagement,
  type LevelCounts,
  type RiskPortfolioResponse,
  type VendorRiskCounts,
  type VendorScorecardResponse,
} from './dto/portfolio.dto.js';
import { type FactsRow, toFacts } from './risk-facts.repository.js';
import { signalBit } from './risk-timeline.js';
import { RiskService } from './risk.service.js';

interface LevelGroupRow {
  vendor_id: string;
  vendor_name: string;
  level: number;
  /** The signal bits shared by the group's engagements (see signalBit). */
  signals: number;
  engagements: number;
}

type FlaggedRow = FactsRow & {
  id: string;
  title: string;
  status: EngagementStatus;
  vendor_id: string;
  vendor_name: string;
  product_owner_id: string;
};

interface ScorecardRow {
  draft: number;
  active: number;
  completed: number;
  cancelled: number;
  handovers_completed: number;
  handovers_on_time: number;
  slip_count: number;
  slip_total_days: number;
  slipped_engagements: number;
  artifacts_total: number;
  artifacts_delivered: number;
  artifacts_accepted: number;
  artifacts_rejected_once: number;
  drills_recorded: number;
  drills_passed_unassisted: number;
}

/** The timeline segment of each engagement that holds `$1`, the judgement date. */
const ON_DATE = `t.valid_from <= $1::date AND t.valid_until > $1::date`;
const HIGH = RISK_LEVELS.indexOf('high');

/**
 * Open engagements on a date by vendor, level and set of signals: a few hundred groups at any
 * portfolio size, whose signal counts are summed in Node (one count per signal in SQL cost a
 * filter per signal and row).
 */
const LEVEL_GROUPS = {
  name: 'risk_summary_groups',
  text: `SELECT g.vendor_id, v.name AS vendor_name, g.level, g.signals, g.engagements
  FROM (SELECT t.vendor_id, t.level, t.signals, count(*)::int AS engagements
          FROM risk_timeline t
         WHERE t.open AND ${ON_DATE}
         GROUP BY t.vendor_id, t.level, t.signals) g
  JOIN vendors v ON v.id = g.vendor_id`,
};

/**
 * The `$2` highest-scored dependency traps on a date, with what their signals are judged from,
 * in the order of `GET /v1/engagements?dependencyTrap=true&sort=-riskScore` (ties oldest
 * first): the walk of idx_risk_timeline_score stops after `$2` rows, where ties by title had
 * to read the title of every engagement at the top score (thousands at the cap of 100).
 */
const TOP_FLAGGED = {
  name: 'risk_summary_flagged',
  text: `WITH top AS (
  SELECT t.engagement_id, t.score, t.engagement_created_at
    FROM risk_timeline t
   WHERE t.open AND ${ON_DATE} AND t.level >= ${HIGH}
   ORDER BY (-t.score), t.engagement_created_at, t.engagement_id LIMIT $2)
SELECT f.*, e.id, e.title, e.status, e.vendor_id, v.name AS vendor_name, e.product_owner_id
  FROM top
  JOIN engagements e ON e.id = top.engagement_id
  JOIN vendors v ON v.id = e.vendor_id
  JOIN engagement_risk_facts f ON f.engagement_id = e.id
 ORDER BY (-top.score), top.engagement_created_at, e.id`,
};

const highest = (levels: RiskLevel[]): RiskLevel =>
  levels.reduce<RiskLevel>(
    (max, level) => (RISK_LEVELS.indexOf(level) > RISK_LEVELS.indexOf(max) ? level : max),
    'none',
  );

/** Portfolio views of risk: a fixed number of statements whatever the portfolio's size. */
@Injectable()
export class PortfolioService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly risk: RiskService,
    private readonly clock: Clock,
  ) {}

  /**
   * Open engagements as of a date: counts by level and by signal, the `limit` highest-scored
   * dependency traps with their signals, per vendor counts. Two statements on the stored
   * timelines and facts, whatever the portfolio's size.
   */
  async summary(
    asOf: string = this.clock.today(),
    limit: number = DEFAULT_PAGE_SIZE,
  ): Promise<RiskPortfolioResponse> {
    const groups = await runPrepared<LevelGroupRow>(this.dataSource.manager, LEVEL_GROUPS, [asOf]);
    const flaggedRows = await runPrepared<FlaggedRow>(this.dataSource.manager, TOP_FLAGGED, [
      asOf,
      limit,
    ]);
    const byLevel = emptyLevelCounts();
    const bySignal = Object.fromEntries(SIGNAL_CODES.map((code) => [code, 0])) as Record<
      SignalCode,
      number
    >;
    const vendors = new Map<string, VendorRiskCounts>();
    for (const group of groups) {
      const level = RISK_LEVELS[group.level];
      byLevel[level] += group.engagements;
      for (const code of SIGNAL_CODES) {
        if (group.signals & signalBit(code)) bySignal[code] += group.engagements;
      }
      const vendor = vendors.get(group.vendor_id) ?? {
        vendorId: group.vendor_id,
        name: group.vendor_name,
        engagements: 0,
        flagged: 0,
        byLevel: emptyLevelCounts(),
      };
      vendor.engagements += group.engagements;
      vendor.byLevel[level] += group.engagements;
      if (group.level >= HIGH) vendor.flagged += group.engagements;
      vendors.set(group.vendor_id, vendor);
    }
    const flaggedTotal = byLevel.high + byLevel.critical;
    const flagged: FlaggedEngagement[] = flaggedRows.map((row) => {
      const assessment = this.risk.assess(toFacts(row), asOf);
      return {
        engagementId: row.id,
        title: row.title,
        status: row.status,
        vendorId: row.vendor_id,
        vendorName: row.vendor_name,
        productOwnerId: row.product_owner_id,
        level: assessment.level,
        score: assessment.score,
        signals: assessment.signals,
      };
    });
    return {
      asOf,
      totals: {
        engagements: Object.values(byLevel).reduce((sum, count) => sum + count, 0),
        byLevel,
        dependencyTrap: flaggedTotal,
      },
      flagged,
      flaggedTotal,
      bySignal,
      vendors: [...vendors.values()].sort(
        (a, b) =>
          b.flagged - a.flagged || b.engagements - a.engagements || a.name.localeCompare(b.name),
      ),
    };
  }

  /**
   * A vendor's track record for the next sourcing decision: one statement over the vendor's
   * engagements, milestones, artifacts and drills, and one over the risk timelines on `asOf`.
   */
  async scorecard(
    vendorId: string,
    asOf: string = this.clock.today(),
  ): Promise<VendorScorecardResponse> {
    const [row]: (ScorecardRow | undefined)[] = await this.dataSource.query(
      `WITH vendor_engagements AS (SELECT id, status FROM engagements WHERE vendor_id = $1),
       final_handovers AS (
         SELECT m.id, m.due_date, m.baseline_due_date, m.completed_on
           FROM milestones m JOIN vendor_engagements e ON e.id = m.engagement_id
          WHERE m.kind = 'final_handover'),
       vendor_drills AS (
         SELECT count(*) FILTER (WHERE d.status = 'recorded')::int AS recorded,
                count(*) FILTER (WHERE d.status = 'recorded' AND d.outcome = 'passed'
                                   AND d.vendor_assistance = 'none')::int AS passed_unassisted
           FROM drills d JOIN vendor_engagements e ON e.id = d.engagement_id)
       SELECT
         (SELECT count(*) FROM vendor_engagements WHERE status = 'draft')::int AS draft,
         (SELECT count(*) FROM vendor_engagements WHERE status = 'active')::int AS active,
         (SELECT count(*) FROM vendor_engagements WHERE status = 'completed')::int AS completed,
         (SELECT count(*) FROM vendor_engagements WHERE status = 'cancelled')::int AS cancelled,
         (SELECT count(*) FROM final_handovers WHERE completed_on IS NOT NULL)::int AS handovers_completed,
         (SELECT count(*) FROM final_handovers
           WHERE completed_on IS NOT NULL AND completed_on <= COALESCE(baseline_due_date, due_date))::int AS handovers_on_time,
         (SELECT count(*) FROM milestone_date_changes c JOIN final_handovers f ON f.id = c.milestone_id
           WHERE c.to_date > c.from_date)::int AS slip_count,
         (SELECT COALESCE(sum(due_date - baseline_due_date), 0) FROM final_handovers
           WHERE due_date > baseline_due_date)::int AS slip_total_days,
         (SELECT count(*) FROM final_handovers WHERE due_date > baseline_due_date)::int AS slipped_engagements,
         (SELECT count(*) FROM artifacts a JOIN vendor_engagements e ON e.id = a.engagement_id)::int AS artifacts_total,
         (SELECT count(*) FROM artifacts a JOIN vendor_engagements e ON e.id = a.engagement_id
           WHERE a.delivered_at IS NOT NULL)::int AS artifacts_delivered,
         (SELECT count(*) FROM artifacts a JOIN vendor_engagements e ON e.id = a.engagement_id
           WHERE a.status = 'accepted')::int AS artifacts_accepted,
         (SELECT count(*) FROM artifacts a JOIN vendor_engagements e ON e.id = a.engagement_id
           WHERE a.rejection_count > 0)::int AS artifacts_rejected_once,
         dr.recorded AS drills_recorded,
         dr.passed_unassisted AS drills_passed_unassisted
        FROM vendors v CROSS JOIN vendor_drills dr WHERE v.id = $1`,
      [vendorId],
    );
    if (!row) throw new VendorNotFoundError(vendorId);
    const open: { level: number; engagements: number }[] = await this.dataSource.query(
      `SELECT t.level, count(*)::int AS engagements
         FROM risk_timeline t
        WHERE t.vendor_id = $2 AND t.open AND ${ON_DATE}
        GROUP BY t.level`,
      [asOf, vendorId],
    );
    const byLevel: LevelCounts = emptyLevelCounts();
    for (const group of open) byLevel[RISK_LEVELS[group.level]] += group.engagements;
    const levels = open.map((group) => RISK_LEVELS[group.level]);
    return {
      vendorId,
      engagements: {
        total: row.draft + row.active + row.completed + row.cancelled,
        draft: row.draft,
        active: row.active,
        completed: row.completed,
        cancelled: row.cancelled,
      },
      handovers: {
        completed: row.handovers_completed,
        onTime: row.handovers_on_time,
        late: row.handovers_completed - row.handovers_on_time,
        onTimeRate: ratio(row.handovers_on_time, row.handovers_completed),
      },
      slips: {
        count: row.slip_count,
        totalDays: row.slip_total_days,
        averageDays: ratio(row.slip_total_days, row.slipped_engagements),
      },
      artifacts: {
        total: row.artifacts_total,
        delivered: row.artifacts_delivered,
        accepted: row.artifacts_accepted,
        rejectedAtLeastOnce: row.artifacts_rejected_once,
        acceptanceRate: ratio(row.artifacts_accepted, row.artifacts_delivered),
      },
      drills: { recorded: row.drills_recorded, passedUnassisted: row.drills_passed_unassisted },
      risk: { byLevel, maxLevel: highest(levels) },
    };
  }
}
