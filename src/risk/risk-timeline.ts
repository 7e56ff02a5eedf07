import { addDays } from '../common/dates.js';
import type { RiskPolicy } from '../config/policies.js';
import {
  assessRisk,
  EXIT_REHEARSAL_VALID_DAYS,
  type RiskAssessment,
  type RiskFacts,
  type RiskLevel,
  SIGNAL_CODES,
  type SignalCode,
} from './assess-risk.js';

/** The calendar days risk may be judged on (`asOf` is validated against them). */
export const FIRST_JUDGED_DAY = '1900-01-01';
export const LAST_JUDGED_DAY = '2199-12-31';

/**
 * The days on which the judgement of these facts can change while the facts stay as they are:
 * the day after each open due date (overdue), the day the final handover's KT window opens, and
 * the first and last day each drill's evidence counts (independent operators, exit rehearsals).
 * Between two consecutive boundaries `assessRisk` gives the same level, score and signals; a
 * property test checks that against `assessRisk` day by day, so the rules keep one definition.
 * Only days that can be judged count (a due date of 9999-12-31 has no day after it here).
 */
export function judgementBoundaries(facts: RiskFacts, policy: RiskPolicy): string[] {
  if (facts.status !== 'active') return [];
  const days = new Set<string>();
  const handover = facts.finalHandover;
  if (handover && !handover.completedOn) {
    days.add(addDays(handover.dueDate, 1));
    days.add(addDays(handover.dueDate, -policy.ktWindowDays));
    if (policy.upskillingWindowDays !== null)
      days.add(addDays(handover.dueDate, -policy.upskillingWindowDays));
  }
  for (const { performedOn } of facts.operatorEvidence) {
    days.add(performedOn);
    days.add(addDays(performedOn, policy.operatorEvidenceDays + 1));
  }
  for (const performedOn of facts.passedExitRehearsals) {
    days.add(performedOn);
    days.add(addDays(performedOn, EXIT_REHEARSAL_VALID_DAYS + 1));
  }
  for (const milestone of facts.openMilestones) days.add(addDays(milestone.dueDate, 1));
  for (const group of facts.unacceptedArtifactsByDueDate) days.add(addDays(group.dueDate, 1));
  return [...days].filter((day) => day >= FIRST_JUDGED_DAY && day <= LAST_JUDGED_DAY).sort();
}

/** What a judgement is compared by: level, score and each signal's code and severity. */
function judgementKey(assessment: RiskAssessment): string {
  return [
    assessment.level,
    assessment.score,
    ...assessment.signals.map((signal) => `${signal.code}:${signal.severity}`).sort(),
  ].join('|');
}

export function sameJudgement(a: RiskAssessment, b: RiskAssessment): boolean {
  return judgementKey(a) === judgementKey(b);
}

/** The signals of an assessment as a bit set, bit i for `SIGNAL_CODES[i]`. */
export function signalMask(assessment: RiskAssessment): number {
  return assessment.signals.reduce((mask, signal) => mask | signalBit(signal.code), 0);
}

export const signalBit = (code: SignalCode): number => 1 << SIGNAL_CODES.indexOf(code);

/** A stretch of days with one judgement; `from`/`until` null mean since ever / for ever. */
export interface RiskSegment {
  /** First day of the segment. */
  from: string | null;
  /** First day after the segment. */
  until: string | null;
  level: RiskLevel;
  score: number;
  signalMask: number;
}

/**
 * The judgement of these facts on every day, as consecutive segments: a handful per
 * engagement, stored so that lists can filter and sort by risk on any date in SQL.
 */
export function riskTimeline(facts: RiskFacts, policy: RiskPolicy): RiskSegment[] {
  const boundaries = judgementBoundaries(facts, policy);
  const first = boundaries.length > 0 ? addDays(boundaries[0], -1) : FIRST_JUDGED_DAY;
  const starts: { from: string | null; judgedOn: string }[] = [
    { from: null, judgedOn: first },
    ...boundaries.map((day) => ({ from: day, judgedOn: day })),
  ];
  const segments: (RiskSegment & { key: string })[] = [];
  for (const { from, judgedOn } of starts) {
    const assessment = assessRisk(facts, judgedOn, policy);
    // Merged by what a segment stores: a severity change under the score cap is no new segment.
    const key = [assessment.level, assessment.score, signalMask(assessment)].join('|');
    const previous = segments[segments.length - 1];
    if (previous?.key === key) continue;
    if (previous) previous.until = from;
    segments.push({
      from,
      until: null,
      level: assessment.level,
      score: assessment.score,
      signalMask: signalMask(assessment),
      key,
    });
  }
  return segments.map(({ key: _key, ...segment }) => segment);
}

export interface ForecastEntry {
  on: string;
  level: RiskLevel;
  score: number;
  raised: SignalCode[];
  cleared: SignalCode[];
}

/**
 * The days within `days` after `asOf` on which the judgement would change if nothing else
 * happens, each with the new level and score and the signals it raises and clears.
 */
export function forecastRisk(
  facts: RiskFacts,
  asOf: string,
  policy: RiskPolicy,
  days: number,
): ForecastEntry[] {
  const horizon = addDays(asOf, days);
  let previous = assessRisk(facts, asOf, policy);
  const entries: ForecastEntry[] = [];
  for (const day of judgementBoundaries(facts, policy)) {
    if (day <= asOf || day > horizon) continue;
    const next = assessRisk(facts, day, policy);
    if (sameJudgement(previous, next)) continue;
    entries.push({
      on: day,
      level: next.level,
      score: next.score,
      ...signalChanges(previous, next),
    });
    previous = next;
  }
  return entries;
}

/** Codes present after and not before (raised), and before and not after (cleared). */
export function signalChanges(
  before: Pick<RiskAssessment, 'signals'>,
  after: Pick<RiskAssessment, 'signals'>,
): { raised: SignalCode[]; cleared: SignalCode[] } {
  const beforeCodes = new Set(before.signals.map((signal) => signal.code));
  const afterCodes = new Set(after.signals.map((signal) => signal.code));
  return {
    raised: after.signals.map((signal) => signal.code).filter((code) => !beforeCodes.has(code)),
    cleared: before.signals.map((signal) => signal.code).filter((code) => !afterCodes.has(code)),
  };
}
