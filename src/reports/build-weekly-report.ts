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
  /** Recipients who count as independent operators (SPEC §8) on the report's date. */
  independentOperators: number;
}

export interface ReportVendor {
  vendorId: string;
  name: string;
  engagements: number;
  flagged: number;
  maxLevel: RiskLevel;
  slipDays: number;
}

/** An open escalation (SPEC §7) of an open engagement. */
export interface ReportEscalation {
  engagementId: string;
  title: string;
  vendorName: string;
  level: string;
  since: string;
  raisedAt: string;
  acknowledgedAt: string | null;
}

/** A risk acknowledgement (SPEC §7) made since the previous report. */
export interface ReportAcknowledgement {
  /** Lets the next report skip the acknowledgements this one listed. */
  id: string;
  engagementId: string;
  title: string;
  level: string;
  note: string;
  until: string;
  acknowledgedAt: string;
  /** The name of the API key that acknowledged. */
  acknowledgedBy: string;
}

export interface WeeklyReportContent {
  totals: { engagements: number; byLevel: Record<RiskLevel, number>; dependencyTrap: number };
  engagements: ReportEngagement[];
  vendors: ReportVendor[];
  escalations: ReportEscalation[];
  acknowledgements: ReportAcknowledgement[];
}

/** An engagement as stored: reports generated before drills existed have no operator count. */
export type StoredReportEngagement = Omit<ReportEngagement, 'independentOperators'> &
  Partial<Pick<ReportEngagement, 'independentOperators'>>;

/**
 * The content as stored: reports generated before escalation existed have neither list, and
 * those generated before drills existed no operator counts.
 */
export type StoredReportContent = Omit<
  WeeklyReportContent,
  'engagements' | 'escalations' | 'acknowledgements'
> & { engagements: StoredReportEngagement[] } & Partial<
    Pick<WeeklyReportContent, 'escalations' | 'acknowledgements'>
  >;

/** One engagement as the report sees it: who, what state, its risk, its final handover dates. */
export interface ReportInput {
  engagementId: string;
  title: string;
  vendor: { id: string; name: string };
  productOwner: { id: string; name: string };
  status: EngagementStatus;
  assessment: RiskAssessment;
  finalHandover: { dueDate: string; baselineDueDate: string | null } | null;
  escalation: Pick<ReportEscalation, 'level' | 'since' | 'raisedAt' | 'acknowledgedAt'> | null;
  /** How many independent operators it has on the report's date. */
  independentOperators: number;
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
 * a per-vendor summary (`slipDays`: the open engagements' net final-handover slip), the open
 * engagements' open escalations, and the acknowledgements the previous report did not list.
 */
export function buildWeeklyReport(
  open: ReportInput[],
  closedSincePrevious: ReportInput[],
  previous: StoredReportContent | null,
  acknowledgements: ReportAcknowledgement[],
): WeeklyReportContent {
  const previousLevels = new Map(
    (previous?.engagements ?? [])
      .filter((entry) => entry.change !== 'closed')
      .map((entry) => [entry.engagementId, entry.level]),
  );
  const previouslyListed = new Set(
    (previous?.acknowledgements ?? []).map((acknowledgement) => acknowledgement.id),
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
      independentOperators: input.independentOperators,
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
    escalations: open
      .flatMap((input) =>
        input.escalation
          ? [
              {
                engagementId: input.engagementId,
                title: input.title,
                vendorName: input.vendor.name,
                ...input.escalation,
              },
            ]
          : [],
      )
      .sort(
        (a, b) =>
          a.raisedAt.localeCompare(b.raisedAt) || a.engagementId.localeCompare(b.engagementId),
      ),
    acknowledgements: acknowledgements
      .filter((acknowledgement) => !previouslyListed.has(acknowledgement.id))
      .sort((a, b) => a.acknowledgedAt.localeCompare(b.acknowledgedAt) || a.id.localeCompare(b.id)),
  };
}
