import { daysBetween } from '../common/dates.js';
import type { RiskPolicy } from '../config/policies.js';
import { type EngagementStatus, isClosed } from '../engagements/engagement-status.js';
import type { Criticality } from '../engagements/engagement.entity.js';

export const RISK_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type Severity = Exclude<RiskLevel, 'none'>;

export const SEVERITY_WEIGHTS: Record<Severity, number> = {
  low: 5,
  medium: 15,
  high: 30,
  critical: 50,
};

/**
 * Bump when a rule below changes what it judges: stored risk timelines were derived with the
 * rules of this version and are rebuilt at start-up when it differs.
 */
export const RISK_RULES_VERSION = 3;

export const SIGNAL_CODES = [
  'HANDOVER_SLIPPED',
  'HANDOVER_OVERDUE',
  'MILESTONE_OVERDUE',
  'ARTIFACTS_OVERDUE',
  'KT_BEHIND_SCHEDULE',
  'NO_KT_ARTIFACTS',
  'BUS_FACTOR_ONE',
  'NO_FINAL_HANDOVER',
  'ARTIFACTS_REJECTED',
  'HANDOVER_AFTER_EXIT_DEADLINE',
  'CAPABILITY_UNPROVEN',
  'EXIT_PLAN_MISSING',
  'EXIT_PLAN_UNTESTED',
  'RECIPIENT_NOT_UPSKILLED',
] as const;
export type SignalCode = (typeof SIGNAL_CODES)[number];

export interface RiskSignal {
  code: SignalCode;
  severity: Severity;
  message: string;
  data: Record<string, unknown>;
}

export interface RiskAssessment {
  level: RiskLevel;
  score: number;
  dependencyTrap: boolean;
  signals: RiskSignal[];
}

export const DEFAULT_RISK_POLICY: RiskPolicy = {
  slipDaysHigh: 30,
  slipCountHigh: 2,
  ktWindowDays: 30,
  ktMinAccepted: 0.5,
  operatorEvidenceDays: 180,
  upskillingWindowDays: null,
};

/** How long a passed exit rehearsal counts as a test of the exit plan (SPEC §8). */
export const EXIT_REHEARSAL_VALID_DAYS = 365;

/** Independent operators needed before the final handover for capability to count as proven. */
export const PROVEN_CAPABILITY_OPERATORS = 2;

/** The facts of one engagement that risk is judged from, aggregated in SQL. */
export interface RiskFacts {
  status: EngagementStatus;
  finalHandover: {
    dueDate: string;
    baselineDueDate: string | null;
    completedOn: string | null;
    /** Changes of its due date to a later date. */
    slipCount: number;
  } | null;
  /** Milestones other than the final handover that are not completed. */
  openMilestones: { id: string; dueDate: string }[];
  /** Per milestone due date: artifacts due then that are not accepted. */
  unacceptedArtifactsByDueDate: { dueDate: string; count: number }[];
  artifactCount: number;
  acceptedArtifactCount: number;
  rejectedArtifactCount: number;
  knowledgeRecipientCount: number;
  lastSafeHandoverDate: string | null;
  criticality: Criticality;
  hasExitPlan: boolean;
  /** Per current recipient, the days of their drills passed without vendor help. */
  operatorEvidence: { personId: string; performedOn: string }[];
  /** The days of passed exit rehearsals, newest first. */
  passedExitRehearsals: string[];
  /** Recipients with no learning sprint that ends on or before the final handover's due date. */
  recipientsNotUpskilled: number;
}

/** Evidence from `performedOn` counts on `asOf` when it is at most `days` old and not ahead. */
const evidenceHolds = (performedOn: string, asOf: string, days: number) =>
  performedOn <= asOf && daysBetween(performedOn, asOf) <= days;

/**
 * The recipients who passed a drill without vendor help within `operatorEvidenceDays` before
 * `asOf`, sorted (SPEC §8).
 */
export function independentOperators(
  facts: Pick<RiskFacts, 'operatorEvidence'>,
  asOf: string,
  policy: Pick<RiskPolicy, 'operatorEvidenceDays'>,
): string[] {
  const people = new Set(
    facts.operatorEvidence
      .filter((evidence) => evidenceHolds(evidence.performedOn, asOf, policy.operatorEvidenceDays))
      .map((evidence) => evidence.personId),
  );
  return [...people].sort();
}

/** The latest passed exit rehearsal on or before `asOf`, or null. */
export function lastExitRehearsal(
  facts: Pick<RiskFacts, 'passedExitRehearsals'>,
  asOf: string,
): string | null {
  return facts.passedExitRehearsals.find((day) => day <= asOf) ?? null;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * Dependency-trap risk of one engagement as of a date (SPEC §2). `asOf` moves the clock, not
 * the data. Completed and cancelled engagements carry no risk; drafts only the structural
 * signals (no artifacts, bus factor, no final handover, handover after the exit deadline, no
 * exit plan).
 */
export function assessRisk(
  facts: RiskFacts,
  asOf: string,
  policy: RiskPolicy = DEFAULT_RISK_POLICY,
): RiskAssessment {
  if (isClosed(facts.status)) return summarise([]);
  const signals: RiskSignal[] = [];
  const handover = facts.finalHandover;

  if (facts.status === 'active') {
    if (handover?.baselineDueDate && handover.dueDate > handover.baselineDueDate) {
      const slipDays = daysBetween(handover.baselineDueDate, handover.dueDate);
      const severe = slipDays >= policy.slipDaysHigh || handover.slipCount >= policy.slipCountHigh;
      signals.push({
        code: 'HANDOVER_SLIPPED',
        severity: severe ? 'high' : 'medium',
        message: `The final handover moved ${plural(slipDays, 'day')} past its baseline (${plural(handover.slipCount, 'slip')}).`,
        data: {
          slipDays,
          slipCount: handover.slipCount,
          baselineDueDate: handover.baselineDueDate,
          dueDate: handover.dueDate,
        },
      });
    }
    if (handover && !handover.completedOn && asOf > handover.dueDate) {
      signals.push({
        code: 'HANDOVER_OVERDUE',
        severity: 'critical',
        message: `The final handover was due on ${handover.dueDate} and is not completed.`,
        data: { dueDate: handover.dueDate, daysOverdue: daysBetween(handover.dueDate, asOf) },
      });
    }
    const overdueMilestones = facts.openMilestones.filter((milestone) => asOf > milestone.dueDate);
    if (overdueMilestones.length > 0) {
      signals.push({
        code: 'MILESTONE_OVERDUE',
        severity: 'medium',
        message: `${plural(overdueMilestones.length, 'milestone')} past due and not completed.`,
        data: {
          count: overdueMilestones.length,
          milestoneIds: overdueMilestones.map((milestone) => milestone.id),
        },
      });
    }
    const overdueArtifacts = facts.unacceptedArtifactsByDueDate
      .filter((group) => asOf > group.dueDate)
      .reduce((sum, group) => sum + group.count, 0);
    if (overdueArtifacts > 0) {
      signals.push({
        code: 'ARTIFACTS_OVERDUE',
        severity: 'high',
        message: `${plural(overdueArtifacts, 'knowledge-transfer artifact')} past due and not accepted.`,
        data: { count: overdueArtifacts },
      });
    }
    if (handover && !handover.completedOn && facts.artifactCount > 0) {
      const daysLeft = daysBetween(asOf, handover.dueDate);
      const acceptedShare = facts.acceptedArtifactCount / facts.artifactCount;
      if (
        daysLeft >= 0 &&
        daysLeft <= policy.ktWindowDays &&
        acceptedShare < policy.ktMinAccepted
      ) {
        signals.push({
          code: 'KT_BEHIND_SCHEDULE',
          severity: 'high',
          message: `The final handover is in ${plural(daysLeft, 'day')} and only ${facts.acceptedArtifactCount} of ${facts.artifactCount} artifacts are accepted.`,
          data: {
            daysLeft,
            accepted: facts.acceptedArtifactCount,
            total: facts.artifactCount,
            acceptedShare,
          },
        });
      }
    }
    if (
      handover &&
      !handover.completedOn &&
      daysBetween(asOf, handover.dueDate) <= policy.ktWindowDays
    ) {
      const operators = independentOperators(facts, asOf, policy).length;
      if (operators < PROVEN_CAPABILITY_OPERATORS) {
        signals.push({
          code: 'CAPABILITY_UNPROVEN',
          severity: operators === 0 ? 'high' : 'medium',
          message:
            operators === 0
              ? `Nobody inside has run the system without the vendor in a drill, and the final handover is due on ${handover.dueDate}.`
              : `Only one person inside has run the system without the vendor in a drill, and the final handover is due on ${handover.dueDate}.`,
          data: { independentOperators: operators, dueDate: handover.dueDate },
        });
      }
    }
    if (
      handover &&
      !handover.completedOn &&
      policy.upskillingWindowDays !== null &&
      facts.recipientsNotUpskilled > 0 &&
      daysBetween(asOf, handover.dueDate) <= policy.upskillingWindowDays
    ) {
      signals.push({
        code: 'RECIPIENT_NOT_UPSKILLED',
        severity: 'low',
        message: `${plural(facts.recipientsNotUpskilled, 'knowledge recipient')} with no learning sprint ending by the final handover (${handover.dueDate}).`,
        data: { recipients: facts.recipientsNotUpskilled, dueDate: handover.dueDate },
      });
    }
    if (facts.criticality !== 'standard' && facts.hasExitPlan) {
      const tested = lastExitRehearsal(facts, asOf);
      if (!tested || daysBetween(tested, asOf) > EXIT_REHEARSAL_VALID_DAYS) {
        signals.push({
          code: 'EXIT_PLAN_UNTESTED',
          severity: 'medium',
          message: tested
            ? `The exit plan was last rehearsed on ${tested}, more than ${EXIT_REHEARSAL_VALID_DAYS} days ago.`
            : 'The exit plan has never been rehearsed.',
          data: { criticality: facts.criticality, lastTestedOn: tested },
        });
      }
    }
    if (facts.rejectedArtifactCount > 0) {
      signals.push({
        code: 'ARTIFACTS_REJECTED',
        severity: 'low',
        message: `${plural(facts.rejectedArtifactCount, 'artifact')} failed internal review and await redelivery.`,
        data: { count: facts.rejectedArtifactCount },
      });
    }
  }

  if (facts.criticality !== 'standard' && !facts.hasExitPlan) {
    signals.push({
      code: 'EXIT_PLAN_MISSING',
      severity: 'medium',
      message: `The engagement supports a${facts.criticality === 'important' ? 'n important' : ' critical'} function and has no exit plan.`,
      data: { criticality: facts.criticality },
    });
  }
  if (facts.artifactCount === 0) {
    signals.push({
      code: 'NO_KT_ARTIFACTS',
      severity: 'high',
      message: 'No knowledge-transfer artifacts are agreed.',
      data: {},
    });
  }
  if (facts.knowledgeRecipientCount < 2) {
    signals.push({
      code: 'BUS_FACTOR_ONE',
      severity: facts.knowledgeRecipientCount === 0 ? 'high' : 'medium',
      message:
        facts.knowledgeRecipientCount === 0
          ? 'Nobody inside is named to own the system after handover.'
          : 'Only one person inside is named to own the system after handover.',
      data: { knowledgeRecipients: facts.knowledgeRecipientCount },
    });
  }
  if (!handover) {
    signals.push({
      code: 'NO_FINAL_HANDOVER',
      severity: 'high',
      message: 'There is no dated final handover milestone.',
      data: {},
    });
  }
  if (handover && facts.lastSafeHandoverDate && handover.dueDate > facts.lastSafeHandoverDate) {
    signals.push({
      code: 'HANDOVER_AFTER_EXIT_DEADLINE',
      severity: 'high',
      message: `The final handover (${handover.dueDate}) is after the last safe handover date (${facts.lastSafeHandoverDate}).`,
      data: { dueDate: handover.dueDate, lastSafeHandoverDate: facts.lastSafeHandoverDate },
    });
  }
  return summarise(signals);
}

function summarise(signals: RiskSignal[]): RiskAssessment {
  const level = signals.reduce<RiskLevel>(
    (highest, signal) =>
      RISK_LEVELS.indexOf(signal.severity) > RISK_LEVELS.indexOf(highest)
        ? signal.severity
        : highest,
    'none',
  );
  const score = Math.min(
    100,
    signals.reduce((sum, signal) => sum + SEVERITY_WEIGHTS[signal.severity], 0),
  );
  return {
    level,
    score,
    dependencyTrap: RISK_LEVELS.indexOf(level) >= RISK_LEVELS.indexOf('high'),
    signals: [...signals].sort(
      (a, b) => SEVERITY_WEIGHTS[b.severity] - SEVERITY_WEIGHTS[a.severity],
    ),
  };
}
