import { addDays } from '../common/dates.js';
import { RISK_LEVELS, type RiskLevel } from '../risk/assess-risk.js';

/** The level from which a dependency trap is escalated when nobody acts (SPEC §7). */
export const ESCALATION_LEVEL: RiskLevel = 'high';

export const levelRank = (level: string): number => RISK_LEVELS.indexOf(level as RiskLevel);

export const isEscalationLevel = (level: string): boolean =>
  levelRank(level) >= levelRank(ESCALATION_LEVEL);

/**
 * The highest level an acknowledgement answers: the level it was given at, and at least high,
 * so that a risk acknowledged while it was only coming is answered when it arrives. A rise
 * above it re-arms the grace period.
 */
export function levelAnswered(acknowledgedAt: string): RiskLevel {
  return RISK_LEVELS[Math.max(levelRank(acknowledgedAt), levelRank(ESCALATION_LEVEL))];
}

export interface EscalationClock {
  /** The day the engagement reached its current level (or the first at or above it). */
  since: string;
  /** `until` of the latest acknowledgement that answers the current level, if any. */
  acknowledgedUntil: string | null;
  graceDays: number;
}

/**
 * The day an engagement at high or above is escalated if nothing changes: the grace period
 * runs from the day it got there, or from the acknowledgement's `until` when that is later.
 */
export function escalatesOn({ since, acknowledgedUntil, graceDays }: EscalationClock): string {
  const start = acknowledgedUntil && acknowledgedUntil > since ? acknowledgedUntil : since;
  return addDays(start, graceDays);
}
