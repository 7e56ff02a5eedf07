import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { NotFoundProblem } from '../common/problem.js';
import { ratio } from '../common/ratio.js';
import type { EngagementStatus } from '../engagements/engagement-status.js';
import { RISK_LEVELS, type RiskAssessment, type RiskLevel } from './assess-risk.js';
import {
  emptyLevelCounts,
  type FlaggedEngagement,
  type LevelCounts,
  type RiskPortfolioResponse,
  type VendorRiskCounts,
  type VendorScorecardResponse,
} from './dto/portfolio.dto.js';
import { RiskFactsRepository } from './risk-facts.repository.js';
import { RiskService } from './risk.service.js';

interface OpenEngagementRow {
  id: string;
  title: string;
  status: EngagementStatus;
  vendor_id: string;
  vendor_name: string;
  product_owner_id: string;
}

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
}

const OPEN = `status IN ('draft', 'active')`;

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
    private readonly facts: RiskFactsRepository,
    private readonly risk: RiskService,
    private readonly clock: Clock,
  ) {}

  /** Open engagements: counts by level, the flagged ones with their signals, per vendor counts. */
  async summary(asOf: string = this.clock.today()): Promise<RiskPortfolioResponse> {
    const facts = await this.facts.forTarget(`SELECT id FROM engagements WHERE ${OPEN}`, []);
    const rows: OpenEngagementRow[] = await this.dataSource.query(
      `SELECT e.id, e.title, e.status, e.vendor_id, v.name AS vendor_name, e.product_owner_id
         FROM engagements e JOIN vendors v ON v.id = e.vendor_id
        WHERE e.${OPEN}`,
    );
    const assessments = new Map<string, RiskAssessment>(
      facts.map((candidate) => [candidate.id, this.risk.assess(candidate.facts, asOf)]),
    );
    const byLevel = emptyLevelCounts();
    const vendors = new Map<string, VendorRiskCounts>();
    const flagged: FlaggedEngagement[] = [];
    for (const row of rows) {
      const assessment = assessments.get(row.id);
      if (!assessment) continue;
      byLevel[assessment.level] += 1;
      const vendor = vendors.get(row.vendor_id) ?? {
        vendorId: row.vendor_id,
        name: row.vendor_name,
        engagements: 0,
        flagged: 0,
        byLevel: emptyLevelCounts(),
      };
      vendor.engagements += 1;
      vendor.byLevel[assessment.level] += 1;
      if (assessment.dependencyTrap) {
        vendor.flagged += 1;
        flagged.push({
          engagementId: row.id,
          title: row.title,
          status: row.status,
          vendorId: row.vendor_id,
          vendorName: row.vendor_name,
          productOwnerId: row.product_owner_id,
          level: assessment.level,
          score: assessment.score,
          signals: assessment.signals,
        });
      }
      vendors.set(row.vendor_id, vendor);
    }
    flagged.sort(
      (a, b) =>
        b.score - a.score ||
        a.title.localeCompare(b.title) ||
        a.engagementId.localeCompare(b.engagementId),
    );
    return {
      asOf,
      totals: {
        engagements: Object.values(byLevel).reduce((sum, count) => sum + count, 0),
        byLevel,
        dependencyTrap: flagged.length,
      },
      flagged,
      vendors: [...vendors.values()].sort(
        (a, b) =>
          b.flagged - a.flagged || b.engagements - a.engagements || a.name.localeCompare(b.name),
      ),
    };
  }

  /** A vendor's track record for the next sourcing decision. */
  async scorecard(
    vendorId: string,
    asOf: string = this.clock.today(),
  ): Promise<VendorScorecardResponse> {
    const [row]: (ScorecardRow | undefined)[] = await this.dataSource.query(
      `WITH vendor_engagements AS (SELECT id, status FROM engagements WHERE vendor_id = $1),
       final_handovers AS (
         SELECT m.id, m.due_date, m.baseline_due_date, m.completed_on
           FROM milestones m JOIN vendor_engagements e ON e.id = m.engagement_id
          WHERE m.kind = 'final_handover')
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
           WHERE a.rejection_count > 0)::int AS artifacts_rejected_once
        FROM vendors WHERE id = $1`,
      [vendorId],
    );
    if (!row) throw new NotFoundProblem('Vendor', vendorId);
    const open = await this.facts.forTarget(
      `SELECT id FROM engagements WHERE vendor_id = $1 AND ${OPEN}`,
      [vendorId],
    );
    const levels = open.map((candidate) => this.risk.assess(candidate.facts, asOf).level);
    const byLevel: LevelCounts = emptyLevelCounts();
    for (const level of levels) byLevel[level] += 1;
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
      risk: { byLevel, maxLevel: highest(levels) },
    };
  }
}
