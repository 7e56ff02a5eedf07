import { daysBetween } from '../common/dates.js';
import type { EngagementStatus } from '../engagements/engagement-status.js';
import { emptyLevelCounts } from '../risk/dto/portfolio.dto.js';
import {
  RISK_LEVELS,
  type RiskAssessment,
  type RiskLevel,
  type RiskSignal,
} from '../risk/assess-risk.js';

export type LevelChange = 'new' | 'raised' | 'lowered' | 'unchanged' | 'closed';

export interface ReportEngagement {
  engagementId: string;
  title: string;
  vendor: { id: string; name: string };
  productOwner: { id: string; name: string };
  status: EngagementStatus;
  level: RiskLevel;
  score: number;
  dependencyTrap: boolean;
  signals: RiskSignal[];
  previousLevel: RiskLevel | null;
  change: LevelChange;
}

export interface ReportVendor {
  vendorId: string;
  name: string;
  engagements: number;
  flagged: number;
  maxLevel: RiskLevel;
  slipDays: number;
}

export interface WeeklyReportContent {
  totals: { engagements: number; byLevel: Record<RiskLevel, number>; dependencyTrap: number };
  engagements: ReportEngagement[];
  vendors: ReportVendor[];
}

/** One engagement as the report sees it: who, what state, its risk, its final handover dates. */
export interface ReportInput {
  engagementId: string;
  title: string;
  vendor: { id: string; name: string };
  productOwner: { id: string; name: string };
  status: EngagementStatus;
  assessment: RiskAssessment;
  finalHandover: { dueDate: string; baselineDueDate: string | null } | null;
}

const rank = (level: RiskLevel) => RISK_LEVELS.indexOf(level);

function changeOf(level: RiskLevel, previous: RiskLevel | null): LevelChange {
  if (previous === null) return 'new';
  if (rank(level) > rank(previous)) return 'raised';
  if (rank(level) < rank(previous)) return 'lowered';
  return 'unchanged';
}

/**
 * The content of a weekly report: every open engagement with its risk and its change since
 * the previous report, engagements that report listed and that have since closed, totals,
 * and a per-vendor summary (`slipDays`: the open engagements' net final-handover slip).
 */
export function buildWeeklyReport(
  open: ReportInput[],
  closedSincePrevious: ReportInput[],
  previous: WeeklyReportContent | null,
): WeeklyReportContent {
  const previousLevels = new Map(
    (previous?.engagements ?? [])
      .filter((entry) => entry.change !== 'closed')
      .map((entry) => [entry.engagementId, entry.level]),
  );
  const entry = (input: ReportInput, change: LevelChange | undefined): ReportEngagement => {
    const previousLevel = previousLevels.get(input.engagementId) ?? null;
    return {
      engagementId: input.engagementId,
      title: input.title,
      vendor: input.vendor,
      productOwner: input.productOwner,
      status: input.status,
      level: input.assessment.level,
      score: input.assessment.score,
      dependencyTrap: input.assessment.dependencyTrap,
      signals: input.assessment.signals,
      previousLevel,
      change: change ?? changeOf(input.assessment.level, previousLevel),
    };
  };
  const engagements = [
    ...open.map((input) => entry(input, undefined)),
    ...closedSincePrevious
      .filter((input) => previousLevels.has(input.engagementId))
      .map((input) => entry(input, 'closed')),
  ].sort(
    (a, b) =>
      b.score - a.score ||
      a.title.localeCompare(b.title) ||
      a.engagementId.localeCompare(b.engagementId),
  );

  const byLevel = emptyLevelCounts();
  const vendors = new Map<string, ReportVendor>();
  for (const input of open) {
    byLevel[input.assessment.level] += 1;
    const vendor = vendors.get(input.vendor.id) ?? {
      vendorId: input.vendor.id,
      name: input.vendor.name,
      engagements: 0,
      flagged: 0,
      maxLevel: 'none' as RiskLevel,
      slipDays: 0,
    };
    vendor.engagements += 1;
    if (input.assessment.dependencyTrap) vendor.flagged += 1;
    if (rank(input.assessment.level) > rank(vendor.maxLevel))
      vendor.maxLevel = input.assessment.level;
    const handover = input.finalHandover;
    if (handover?.baselineDueDate && handover.dueDate > handover.baselineDueDate) {
      vendor.slipDays += daysBetween(handover.baselineDueDate, handover.dueDate);
    }
    vendors.set(input.vendor.id, vendor);
  }
  return {
    totals: {
      engagements: open.length,
      byLevel,
      dependencyTrap: open.filter((input) => input.assessment.dependencyTrap).length,
    },
    engagements,
    vendors: [...vendors.values()].sort(
      (a, b) => b.flagged - a.flagged || b.slipDays - a.slipDays || a.name.localeCompare(b.name),
    ),
  };
}
