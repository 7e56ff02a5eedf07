import type { RiskPolicy } from '../config/policies.js';
import { addDays } from '../common/dates.js';
import type { EngagementStatus } from '../engagements/engagement-status.js';
import {
  DEFAULT_RISK_POLICY,
  EXIT_REHEARSAL_VALID_DAYS,
  PROVEN_CAPABILITY_OPERATORS,
  RISK_LEVELS,
  SEVERITY_WEIGHTS,
  assessRisk,
  independentOperators,
  lastExitRehearsal,
} from './assess-risk.js';
import type {
  RiskAssessment,
  RiskFacts,
  RiskLevel,
  RiskSignal,
  Severity,
  SignalCode,
} from './assess-risk.js';

const AS_OF = '2026-06-15';
const TODAY = AS_OF;
const YESTERDAY = addDays(AS_OF, -1);
const TOMORROW = addDays(AS_OF, 1);
const FAR_FUTURE = '2027-12-31';

type Handover = NonNullable<RiskFacts['finalHandover']>;
type Evidence = RiskFacts['operatorEvidence'][number];

/** `personId` passed a drill without vendor help `daysAgo` days before AS_OF. */
const passed = (personId: string, daysAgo: number): Evidence => ({
  personId,
  performedOn: addDays(AS_OF, -daysAgo),
});

/** Both recipients passed a drill without vendor help a month before AS_OF. */
const TWO_OPERATORS: Evidence[] = [passed('p-1', 30), passed('p-2', 30)];

/** A final handover due far in the future, on its baseline, never slipped, not completed. */
function handover(overrides: Partial<Handover> = {}): Handover {
  return {
    dueDate: FAR_FUTURE,
    baselineDueDate: FAR_FUTURE,
    completedOn: null,
    slipCount: 0,
    ...overrides,
  };
}

/** A slipped final handover: baseline far in the future, due `days` later. */
function slipped(days: number, slipCount: number): Handover {
  return handover({ baselineDueDate: FAR_FUTURE, dueDate: addDays(FAR_FUTURE, days), slipCount });
}

/**
 * A healthy active engagement: two recipients, both independent operators as of AS_OF, a final
 * handover far in the future on its baseline, half of four artifacts accepted, nothing overdue,
 * rejected or past the exit deadline; a standard engagement without an exit plan, each recipient
 * upskilled by a learning sprint ending before the final handover.
 */
function facts(overrides: Partial<RiskFacts> = {}): RiskFacts {
  return {
    status: 'active',
    finalHandover: handover(),
    openMilestones: [],
    unacceptedArtifactsByDueDate: [],
    artifactCount: 4,
    acceptedArtifactCount: 2,
    rejectedArtifactCount: 0,
    knowledgeRecipientCount: 2,
    lastSafeHandoverDate: null,
    criticality: 'standard',
    hasExitPlan: false,
    operatorEvidence: TWO_OPERATORS,
    passedExitRehearsals: [],
    recipientsNotUpskilled: 0,
    ...overrides,
  };
}

/** Facts whose final handover is due `daysLeft` days after AS_OF, with `accepted` of `total`. */
function ktFacts(daysLeft: number, accepted: number, total = 100): RiskFacts {
  const dueDate = addDays(AS_OF, daysLeft);
  return facts({
    finalHandover: handover({ dueDate, baselineDueDate: dueDate }),
    artifactCount: total,
    acceptedArtifactCount: accepted,
  });
}

const codes = (assessment: RiskAssessment): SignalCode[] => assessment.signals.map((s) => s.code);

const signal = (assessment: RiskAssessment, code: SignalCode): RiskSignal | undefined =>
  assessment.signals.find((s) => s.code === code);

const policy = (overrides: Partial<RiskPolicy>): RiskPolicy => ({
  ...DEFAULT_RISK_POLICY,
  ...overrides,
});

/**
 * Every signal raised at once on an active engagement (except NO_FINAL_HANDOVER, which
 * excludes the handover signals, EXIT_PLAN_UNTESTED, which excludes EXIT_PLAN_MISSING, and
 * BUS_FACTOR_ONE/NO_KT_ARTIFACTS at their worst): a critical function without an exit plan, whose
 * one recipient never passed a drill without vendor help.
 */
function everythingWrong(status: EngagementStatus): RiskFacts {
  return facts({
    status,
    finalHandover: handover({
      baselineDueDate: addDays(AS_OF, -60),
      dueDate: YESTERDAY,
      slipCount: 3,
    }),
    openMilestones: [{ id: 'm-1', dueDate: YESTERDAY }],
    unacceptedArtifactsByDueDate: [{ dueDate: YESTERDAY, count: 3 }],
    artifactCount: 4,
    acceptedArtifactCount: 0,
    rejectedArtifactCount: 1,
    knowledgeRecipientCount: 1,
    lastSafeHandoverDate: addDays(AS_OF, -2),
    criticality: 'critical',
    hasExitPlan: false,
    operatorEvidence: [],
  });
}

describe('assessRisk', () => {
  it('raises no signal for a healthy active engagement: level none, score 0, no trap', () => {
    expect(assessRisk(facts(), AS_OF)).toEqual({
      level: 'none',
      score: 0,
      dependencyTrap: false,
      signals: [],
    });
  });

  it('uses the default policy (30 days, 2 slips, 30 days, 50 %, 180 days, upskilling off) when none is given', () => {
    expect(DEFAULT_RISK_POLICY).toEqual({
      slipDaysHigh: 30,
      slipCountHigh: 2,
      ktWindowDays: 30,
      ktMinAccepted: 0.5,
      operatorEvidenceDays: 180,
      upskillingWindowDays: null,
    });
    const sample = everythingWrong('active');
    expect(assessRisk(sample, AS_OF)).toEqual(assessRisk(sample, AS_OF, DEFAULT_RISK_POLICY));
  });

  describe('HANDOVER_OVERDUE', () => {
    it.each([
      ['due yesterday is overdue', YESTERDAY, true],
      ['due today is not overdue', TODAY, false],
      ['due tomorrow is not overdue', TOMORROW, false],
    ])('a final handover %s', (_label, dueDate, raised) => {
      const result = assessRisk(
        facts({ finalHandover: handover({ dueDate, baselineDueDate: dueDate }) }),
        AS_OF,
      );
      expect(codes(result).includes('HANDOVER_OVERDUE')).toBe(raised);
    });

    it('is critical and reports the due date and the days overdue', () => {
      const dueDate = addDays(AS_OF, -5);
      const result = assessRisk(
        facts({ finalHandover: handover({ dueDate, baselineDueDate: dueDate }) }),
        AS_OF,
      );
      expect(signal(result, 'HANDOVER_OVERDUE')).toMatchObject({
        severity: 'critical',
        data: { dueDate, daysOverdue: 5 },
      });
    });

    it('is not raised once the final handover is completed, even after its due date', () => {
      const result = assessRisk(
        facts({
          finalHandover: handover({
            dueDate: YESTERDAY,
            baselineDueDate: YESTERDAY,
            completedOn: YESTERDAY,
          }),
        }),
        AS_OF,
      );
      expect(codes(result)).not.toContain('HANDOVER_OVERDUE');
    });

    it('is judged as of asOf: the same facts are not overdue on the due date itself', () => {
      const dueDate = '2026-03-01';
      const sample = facts({ finalHandover: handover({ dueDate, baselineDueDate: dueDate }) });
      expect(codes(assessRisk(sample, '2026-03-01'))).not.toContain('HANDOVER_OVERDUE');
      expect(codes(assessRisk(sample, '2026-03-02'))).toContain('HANDOVER_OVERDUE');
    });
  });

  describe('MILESTONE_OVERDUE', () => {
    it.each([
      ['due yesterday is overdue', YESTERDAY, true],
      ['due today is not overdue', TODAY, false],
      ['due tomorrow is not overdue', TOMORROW, false],
    ])('an open milestone %s', (_label, dueDate, raised) => {
      const result = assessRisk(facts({ openMilestones: [{ id: 'm-1', dueDate }] }), AS_OF);
      expect(codes(result).includes('MILESTONE_OVERDUE')).toBe(raised);
    });

    it('is medium and counts and names only the milestones past due', () => {
      const result = assessRisk(
        facts({
          openMilestones: [
            { id: 'm-old', dueDate: addDays(AS_OF, -10) },
            { id: 'm-today', dueDate: TODAY },
            { id: 'm-yesterday', dueDate: YESTERDAY },
            { id: 'm-later', dueDate: TOMORROW },
          ],
        }),
        AS_OF,
      );
      expect(signal(result, 'MILESTONE_OVERDUE')).toMatchObject({
        severity: 'medium',
        data: { count: 2, milestoneIds: ['m-old', 'm-yesterday'] },
      });
    });

    it('is not raised without open milestones', () => {
      expect(codes(assessRisk(facts({ openMilestones: [] }), AS_OF))).not.toContain(
        'MILESTONE_OVERDUE',
      );
    });
  });

  describe('ARTIFACTS_OVERDUE', () => {
    it.each([
      ['due yesterday are overdue', YESTERDAY, true],
      ['due today are not overdue', TODAY, false],
      ['due tomorrow are not overdue', TOMORROW, false],
    ])('unaccepted artifacts %s', (_label, dueDate, raised) => {
      const result = assessRisk(
        facts({ unacceptedArtifactsByDueDate: [{ dueDate, count: 2 }] }),
        AS_OF,
      );
      expect(codes(result).includes('ARTIFACTS_OVERDUE')).toBe(raised);
    });

    it('is high and counts only the unaccepted artifacts whose milestone is past due', () => {
      const result = assessRisk(
        facts({
          unacceptedArtifactsByDueDate: [
            { dueDate: addDays(AS_OF, -30), count: 1 },
            { dueDate: YESTERDAY, count: 2 },
            { dueDate: TODAY, count: 4 },
            { dueDate: TOMORROW, count: 8 },
          ],
        }),
        AS_OF,
      );
      expect(signal(result, 'ARTIFACTS_OVERDUE')).toMatchObject({
        severity: 'high',
        data: { count: 3 },
      });
    });

    it('is not raised when past-due groups count no artifact', () => {
      const result = assessRisk(
        facts({ unacceptedArtifactsByDueDate: [{ dueDate: YESTERDAY, count: 0 }] }),
        AS_OF,
      );
      expect(codes(result)).not.toContain('ARTIFACTS_OVERDUE');
    });
  });

  describe('HANDOVER_SLIPPED', () => {
    it.each([
      [29, 1, 'medium'],
      [30, 1, 'high'],
      [31, 1, 'high'],
      [1, 1, 'medium'],
      [5, 2, 'high'],
      [5, 3, 'high'],
    ])('a handover %d days past its baseline after %d slip(s) is %s', (days, count, severity) => {
      const result = assessRisk(facts({ finalHandover: slipped(days, count) }), AS_OF);
      expect(signal(result, 'HANDOVER_SLIPPED')).toEqual({
        code: 'HANDOVER_SLIPPED',
        severity,
        message: expect.any(String),
        data: {
          slipDays: days,
          slipCount: count,
          baselineDueDate: FAR_FUTURE,
          dueDate: addDays(FAR_FUTURE, days),
        },
      });
    });

    it.each([
      ['due on its baseline', handover({ dueDate: FAR_FUTURE, baselineDueDate: FAR_FUTURE })],
      [
        'moved back to before its baseline',
        handover({ dueDate: addDays(FAR_FUTURE, -10), baselineDueDate: FAR_FUTURE, slipCount: 2 }),
      ],
      ['without a baseline', handover({ baselineDueDate: null, slipCount: 2 })],
    ])('is not raised for a final handover %s', (_label, finalHandover) => {
      expect(codes(assessRisk(facts({ finalHandover }), AS_OF))).not.toContain('HANDOVER_SLIPPED');
    });

    it.each([
      [9, 1, 'medium'],
      [10, 1, 'high'],
    ])('with slipDaysHigh 10, %d days of slip is %s', (days, count, severity) => {
      const result = assessRisk(
        facts({ finalHandover: slipped(days, count) }),
        AS_OF,
        policy({ slipDaysHigh: 10 }),
      );
      expect(signal(result, 'HANDOVER_SLIPPED')?.severity).toBe(severity);
    });

    it.each([
      [2, 'medium'],
      [3, 'high'],
    ])('with slipCountHigh 3, %d slips are %s', (count, severity) => {
      const result = assessRisk(
        facts({ finalHandover: slipped(5, count) }),
        AS_OF,
        policy({ slipCountHigh: 3 }),
      );
      expect(signal(result, 'HANDOVER_SLIPPED')?.severity).toBe(severity);
    });
  });

  describe('BUS_FACTOR_ONE', () => {
    it.each([
      [0, 'high'],
      [1, 'medium'],
    ])('%d knowledge recipient(s) raise it as %s', (recipients, severity) => {
      const result = assessRisk(facts({ knowledgeRecipientCount: recipients }), AS_OF);
      expect(signal(result, 'BUS_FACTOR_ONE')).toMatchObject({
        severity,
        data: { knowledgeRecipients: recipients },
      });
    });

    it.each([2, 3])('%d knowledge recipients do not raise it', (recipients) => {
      const result = assessRisk(facts({ knowledgeRecipientCount: recipients }), AS_OF);
      expect(codes(result)).not.toContain('BUS_FACTOR_ONE');
    });
  });

  describe('KT_BEHIND_SCHEDULE', () => {
    it.each([
      [0, 49, true],
      [0, 50, false],
      [1, 49, true],
      [30, 49, true],
      [30, 50, false],
      [31, 49, false],
      [31, 0, false],
      [0, 0, true],
      [30, 100, false],
    ])('final handover due in %d days with %d % accepted: raised %s', (days, accepted, raised) => {
      const result = assessRisk(ktFacts(days, accepted), AS_OF);
      expect(codes(result).includes('KT_BEHIND_SCHEDULE')).toBe(raised);
    });

    it('is high and reports the days left, accepted, total and accepted share', () => {
      const result = assessRisk(ktFacts(12, 1, 4), AS_OF);
      expect(signal(result, 'KT_BEHIND_SCHEDULE')).toMatchObject({
        severity: 'high',
        data: { daysLeft: 12, accepted: 1, total: 4, acceptedShare: 0.25 },
      });
    });

    it('is not raised once the final handover is past due (HANDOVER_OVERDUE is)', () => {
      const result = assessRisk(ktFacts(-1, 0), AS_OF);
      expect(codes(result)).not.toContain('KT_BEHIND_SCHEDULE');
      expect(codes(result)).toContain('HANDOVER_OVERDUE');
    });

    it('is not raised with zero artifacts; NO_KT_ARTIFACTS is raised instead', () => {
      const result = assessRisk(ktFacts(10, 0, 0), AS_OF);
      expect(codes(result)).not.toContain('KT_BEHIND_SCHEDULE');
      expect(codes(result)).toContain('NO_KT_ARTIFACTS');
    });

    it('is not raised without a final handover', () => {
      const result = assessRisk(
        facts({ finalHandover: null, artifactCount: 4, acceptedArtifactCount: 0 }),
        AS_OF,
      );
      expect(codes(result)).not.toContain('KT_BEHIND_SCHEDULE');
    });

    it.each([
      [79, true],
      [80, false],
    ])('with ktMinAccepted 0.8, %d % accepted: raised %s', (accepted, raised) => {
      const result = assessRisk(ktFacts(10, accepted), AS_OF, policy({ ktMinAccepted: 0.8 }));
      expect(codes(result).includes('KT_BEHIND_SCHEDULE')).toBe(raised);
    });

    it.each([
      [0, true],
      [7, true],
      [8, false],
      [30, false],
    ])('with ktWindowDays 7, due in %d days: raised %s', (days, raised) => {
      const result = assessRisk(ktFacts(days, 0), AS_OF, policy({ ktWindowDays: 7 }));
      expect(codes(result).includes('KT_BEHIND_SCHEDULE')).toBe(raised);
    });
  });

  describe('NO_KT_ARTIFACTS', () => {
    it('is high when no artifact is agreed', () => {
      const result = assessRisk(facts({ artifactCount: 0, acceptedArtifactCount: 0 }), AS_OF);
      expect(signal(result, 'NO_KT_ARTIFACTS')).toMatchObject({ severity: 'high', data: {} });
    });

    it('is not raised with one artifact', () => {
      const result = assessRisk(facts({ artifactCount: 1, acceptedArtifactCount: 1 }), AS_OF);
      expect(codes(result)).not.toContain('NO_KT_ARTIFACTS');
    });
  });

  describe('NO_FINAL_HANDOVER', () => {
    it('is high when there is no final handover milestone', () => {
      const result = assessRisk(facts({ finalHandover: null }), AS_OF);
      expect(signal(result, 'NO_FINAL_HANDOVER')).toMatchObject({ severity: 'high', data: {} });
    });

    it('comes without any handover date signal', () => {
      const result = assessRisk(
        facts({ finalHandover: null, lastSafeHandoverDate: YESTERDAY }),
        AS_OF,
      );
      expect(codes(result)).toEqual(['NO_FINAL_HANDOVER']);
    });

    it('is not raised when there is a final handover', () => {
      expect(codes(assessRisk(facts(), AS_OF))).not.toContain('NO_FINAL_HANDOVER');
    });
  });

  describe('ARTIFACTS_REJECTED', () => {
    it.each([1, 2])('is low with %d rejected artifact(s), reporting the count', (count) => {
      const result = assessRisk(facts({ rejectedArtifactCount: count }), AS_OF);
      expect(signal(result, 'ARTIFACTS_REJECTED')).toMatchObject({
        severity: 'low',
        data: { count },
      });
    });

    it('is not raised without rejected artifacts', () => {
      const result = assessRisk(facts({ rejectedArtifactCount: 0 }), AS_OF);
      expect(codes(result)).not.toContain('ARTIFACTS_REJECTED');
    });
  });

  describe('HANDOVER_AFTER_EXIT_DEADLINE', () => {
    const due = '2026-09-30';

    it.each([
      ['one day after the last safe handover date', addDays(due, -1), true],
      ['on the last safe handover date', due, false],
      ['before the last safe handover date', addDays(due, 1), false],
      ['without a last safe handover date', null, false],
    ])('a final handover due %s: raised %s', (_label, lastSafeHandoverDate, raised) => {
      const result = assessRisk(
        facts({
          finalHandover: handover({ dueDate: due, baselineDueDate: due }),
          lastSafeHandoverDate,
        }),
        AS_OF,
      );
      expect(codes(result).includes('HANDOVER_AFTER_EXIT_DEADLINE')).toBe(raised);
    });

    it('is high and reports both dates', () => {
      const result = assessRisk(
        facts({
          finalHandover: handover({ dueDate: due, baselineDueDate: due }),
          lastSafeHandoverDate: '2026-08-31',
        }),
        AS_OF,
      );
      expect(signal(result, 'HANDOVER_AFTER_EXIT_DEADLINE')).toMatchObject({
        severity: 'high',
        data: { dueDate: due, lastSafeHandoverDate: '2026-08-31' },
      });
    });
  });

  describe('independentOperators', () => {
    it.each<[string, Evidence[], string[]]>([
      ['nobody without evidence', [], []],
      ['a pass on asOf itself counts', [passed('p-1', 0)], ['p-1']],
      ['a pass exactly 180 days old counts', [passed('p-1', 180)], ['p-1']],
      ['a pass 181 days old does not count', [passed('p-1', 181)], []],
      ['a pass performed after asOf does not count', [passed('p-1', -1)], []],
      ['a person with several passes counts once', [passed('p-1', 1), passed('p-1', 20)], ['p-1']],
      [
        'a person counts by an older pass when the newest is after asOf',
        [passed('p-1', -5), passed('p-1', 5)],
        ['p-1'],
      ],
      [
        'a person counts by a fresh pass when an older one expired',
        [passed('p-1', 10), passed('p-1', 400)],
        ['p-1'],
      ],
      [
        'expired evidence of one person does not count next to fresh evidence of another',
        [passed('p-2', 10), passed('p-1', 200)],
        ['p-2'],
      ],
      [
        'operators are sorted by person id',
        [passed('p-b', 1), passed('p-a', 2), passed('p-c', 3)],
        ['p-a', 'p-b', 'p-c'],
      ],
    ])('%s', (_label, operatorEvidence, expected) => {
      expect(independentOperators({ operatorEvidence }, AS_OF, DEFAULT_RISK_POLICY)).toEqual(
        expected,
      );
    });

    it.each<[number, number, string[]]>([
      [30, 30, ['p-1']],
      [30, 31, []],
      [365, 200, ['p-1']],
      [0, 0, ['p-1']],
      [0, 1, []],
    ])(
      'with operatorEvidenceDays %d, a pass %d days old makes the operators %j',
      (operatorEvidenceDays, daysAgo, expected) => {
        expect(
          independentOperators({ operatorEvidence: [passed('p-1', daysAgo)] }, AS_OF, {
            operatorEvidenceDays,
          }),
        ).toEqual(expected);
      },
    );
  });

  describe('lastExitRehearsal', () => {
    it.each<[string, number[], string | null]>([
      ['never rehearsed: null', [], null],
      ['rehearsed on asOf itself: asOf', [0], AS_OF],
      ['rehearsed only after asOf: null', [-1], null],
      ['the newest on or before asOf, skipping later ones', [-3, 10, 400], addDays(AS_OF, -10)],
      [
        'an old rehearsal still is the last one (validity is judged by the rule)',
        [400],
        addDays(AS_OF, -400),
      ],
    ])('%s', (_label, daysAgo, expected) => {
      const passedExitRehearsals = daysAgo.map((days) => addDays(AS_OF, -days));
      expect(lastExitRehearsal({ passedExitRehearsals }, AS_OF)).toBe(expected);
    });
  });

  describe('CAPABILITY_UNPROVEN', () => {
    const DUE = '2026-07-15';
    /** Active facts whose open final handover is due on DUE, with this evidence. */
    const dueWith = (operatorEvidence: Evidence[], overrides: Partial<RiskFacts> = {}) =>
      facts({
        finalHandover: handover({ dueDate: DUE, baselineDueDate: DUE }),
        operatorEvidence,
        ...overrides,
      });
    const raisedOn = (subject: RiskFacts, asOf: string, riskPolicy = DEFAULT_RISK_POLICY) =>
      signal(assessRisk(subject, asOf, riskPolicy), 'CAPABILITY_UNPROVEN');
    /** CAPABILITY_UNPROVEN's severity, or 'not raised'. */
    const judged = (subject: RiskFacts, asOf: string, riskPolicy = DEFAULT_RISK_POLICY) =>
      raisedOn(subject, asOf, riskPolicy)?.severity ?? 'not raised';

    it('needs two independent operators', () => {
      expect(PROVEN_CAPABILITY_OPERATORS).toBe(2);
    });

    it.each<[number, Severity | 'not raised', Evidence[]]>([
      [0, 'high', []],
      [1, 'medium', [passed('p-1', 10)]],
      [2, 'not raised', [passed('p-1', 10), passed('p-2', 10)]],
      [3, 'not raised', [passed('p-1', 10), passed('p-2', 10), passed('p-3', 10)]],
    ])('inside the KT window, %d independent operator(s): %s', (operators, severity, evidence) => {
      const found = raisedOn(dueWith(evidence), AS_OF);
      expect(found?.severity ?? 'not raised').toBe(severity);
      if (found) {
        expect(found).toMatchObject({ data: { independentOperators: operators, dueDate: DUE } });
        expect(found?.message).toContain(DUE);
      }
    });

    it.each<[string, string, boolean]>([
      ['on the day before the KT window, due − 31', addDays(DUE, -31), false],
      ['on the KT window’s first day, due − 30', addDays(DUE, -30), true],
      ['inside the KT window, due − 1', addDays(DUE, -1), true],
      ['on the KT window’s last day, the due date', DUE, true],
      ['the day after the due date, not completed (past due)', addDays(DUE, 1), true],
      ['a year after the due date, not completed', addDays(DUE, 365), true],
    ])('without independent operators, judged %s (%s): raised %s', (_label, asOf, raised) => {
      expect(raisedOn(dueWith([]), asOf) !== undefined).toBe(raised);
    });

    it.each<[string, string]>([
      ['inside the KT window', addDays(DUE, -10)],
      ['after the due date', addDays(DUE, 10)],
    ])('is not raised once the final handover is completed: judged %s', (_label, asOf) => {
      const completed = dueWith([], {
        finalHandover: handover({ dueDate: DUE, baselineDueDate: DUE, completedOn: DUE }),
      });
      expect(raisedOn(completed, asOf)).toBeUndefined();
    });

    it('is not raised without a final handover (NO_FINAL_HANDOVER is)', () => {
      const result = assessRisk(dueWith([], { finalHandover: null }), AS_OF);
      expect(codes(result)).toEqual(['NO_FINAL_HANDOVER']);
    });

    it('is raised with no artifacts at all (it does not depend on KT artifacts)', () => {
      const result = assessRisk(dueWith([], { artifactCount: 0, acceptedArtifactCount: 0 }), AS_OF);
      expect(codes(result).sort()).toEqual(['CAPABILITY_UNPROVEN', 'NO_KT_ARTIFACTS']);
    });

    // One fresh operator (p-1) and a second whose evidence is of the given age: 2 or 1 operators.
    it.each<[string, Severity | 'not raised', Evidence]>([
      ['performed on asOf counts', 'not raised', passed('p-2', 0)],
      ['exactly 180 days old counts', 'not raised', passed('p-2', 180)],
      ['181 days old does not count', 'medium', passed('p-2', 181)],
      ['performed after asOf does not count', 'medium', passed('p-2', -1)],
      ['of the same person twice counts once', 'medium', passed('p-1', 20)],
    ])("the second operator's evidence %s: %s", (_label, severity, second) => {
      expect(judged(dueWith([passed('p-1', 1), second]), AS_OF)).toBe(severity);
    });

    it('a recipient who passed only with vendor help has no evidence and is no operator: medium', () => {
      // Assisted passes never reach operatorEvidence: two recipients, one of them with evidence.
      const subject = dueWith([passed('p-1', 5)], { knowledgeRecipientCount: 2 });
      expect(raisedOn(subject, AS_OF)).toMatchObject({
        severity: 'medium',
        data: { independentOperators: 1 },
      });
    });

    it('turns from none to medium to high as the operators’ evidence expires, on the same facts', () => {
      const subject = dueWith([passed('p-1', 100), passed('p-2', 170)]);
      // p-2's pass turns 181 days old 11 days after AS_OF, p-1's 81 days after.
      expect(raisedOn(subject, addDays(AS_OF, 10))).toBeUndefined();
      expect(raisedOn(subject, addDays(AS_OF, 11))?.severity).toBe('medium');
      expect(raisedOn(subject, addDays(AS_OF, 80))?.severity).toBe('medium');
      expect(raisedOn(subject, addDays(AS_OF, 81))?.severity).toBe('high');
    });

    it.each<[number, number, Severity | 'not raised']>([
      [30, 30, 'not raised'],
      [30, 31, 'medium'],
      [365, 200, 'not raised'],
      [365, 365, 'not raised'],
      [365, 366, 'medium'],
    ])(
      'with operatorEvidenceDays %d, a second operator’s pass %d days old: %s',
      (operatorEvidenceDays, daysAgo, severity) => {
        const subject = dueWith([passed('p-1', 0), passed('p-2', daysAgo)]);
        expect(judged(subject, AS_OF, policy({ operatorEvidenceDays }))).toBe(severity);
      },
    );

    it.each<[number, boolean]>([
      [7, true],
      [8, false],
    ])('with ktWindowDays 7, judged %d days before the due date: raised %s', (days, raised) => {
      const found = raisedOn(dueWith([]), addDays(DUE, -days), policy({ ktWindowDays: 7 }));
      expect(found !== undefined).toBe(raised);
    });
  });

  describe('RECIPIENT_NOT_UPSKILLED', () => {
    const DUE = '2026-07-15';
    const WINDOW = policy({ upskillingWindowDays: 14 });
    /** Active facts whose open final handover is due on DUE, with recipients not upskilled. */
    const notUpskilled = (recipientsNotUpskilled = 2, overrides: Partial<RiskFacts> = {}) =>
      facts({
        finalHandover: handover({ dueDate: DUE, baselineDueDate: DUE }),
        recipientsNotUpskilled,
        ...overrides,
      });
    const raisedOn = (subject: RiskFacts, asOf: string, riskPolicy = WINDOW) =>
      signal(assessRisk(subject, asOf, riskPolicy), 'RECIPIENT_NOT_UPSKILLED');
    // The 14-day window's first day: the healthy facts raise nothing else then (both operators'
    // evidence still counts, half the artifacts are accepted).
    const WINDOW_OPENS = addDays(DUE, -14);

    it.each<[string, string]>([
      ['long before the due date', addDays(DUE, -200)],
      ['on the first day a 14-day window would open', WINDOW_OPENS],
      ['on the due date', DUE],
      ['past the due date', addDays(DUE, 30)],
    ])('is off by default (null window): judged %s, not raised', (_label, asOf) => {
      expect(DEFAULT_RISK_POLICY.upskillingWindowDays).toBeNull();
      expect(raisedOn(notUpskilled(2), asOf, DEFAULT_RISK_POLICY)).toBeUndefined();
      expect(
        raisedOn(notUpskilled(2), asOf, policy({ upskillingWindowDays: null })),
      ).toBeUndefined();
      expect(codes(assessRisk(notUpskilled(2), asOf, DEFAULT_RISK_POLICY))).not.toContain(
        'RECIPIENT_NOT_UPSKILLED',
      );
    });

    it.each<[string, string, boolean]>([
      ['long before the window', addDays(DUE, -200), false],
      ['on the day before the window opens, due − 15', addDays(DUE, -15), false],
      ['on the window’s first day, due − 14', addDays(DUE, -14), true],
      ['inside the window, due − 1', addDays(DUE, -1), true],
      ['on the due date', DUE, true],
      ['the day after the due date, not completed (past due)', addDays(DUE, 1), true],
      ['a year after the due date, not completed', addDays(DUE, 365), true],
    ])('with a 14-day window, judged %s (%s): raised %s', (_label, asOf, raised) => {
      expect(raisedOn(notUpskilled(2), asOf) !== undefined).toBe(raised);
    });

    it('is low and reports the recipients not upskilled and the due date', () => {
      const found = raisedOn(notUpskilled(2), WINDOW_OPENS);
      expect(found).toEqual({
        code: 'RECIPIENT_NOT_UPSKILLED',
        severity: 'low',
        message: expect.stringContaining(DUE),
        data: { recipients: 2, dueDate: DUE },
      });
      expect(found?.message).toContain('2 knowledge recipients');
    });

    it('speaks of one recipient in the singular', () => {
      const found = raisedOn(notUpskilled(1), WINDOW_OPENS);
      expect(found?.data).toEqual({ recipients: 1, dueDate: DUE });
      expect(found?.message).toMatch(/^1 knowledge recipient /);
    });

    it('alone, it makes the level low and the score 5 (no dependency trap)', () => {
      expect(assessRisk(notUpskilled(3), WINDOW_OPENS, WINDOW)).toEqual({
        level: 'low',
        score: 5,
        dependencyTrap: false,
        signals: [
          {
            code: 'RECIPIENT_NOT_UPSKILLED',
            severity: 'low',
            message: expect.any(String),
            data: { recipients: 3, dueDate: DUE },
          },
        ],
      });
    });

    it.each<[string, string]>([
      ['inside the window', addDays(DUE, -10)],
      ['after the due date', addDays(DUE, 10)],
    ])('is not raised once the final handover is completed: judged %s', (_label, asOf) => {
      const completed = notUpskilled(2, {
        finalHandover: handover({ dueDate: DUE, baselineDueDate: DUE, completedOn: DUE }),
      });
      expect(raisedOn(completed, asOf)).toBeUndefined();
    });

    it('is not raised without a final handover (NO_FINAL_HANDOVER is)', () => {
      const result = assessRisk(notUpskilled(2, { finalHandover: null }), WINDOW_OPENS, WINDOW);
      expect(codes(result)).toEqual(['NO_FINAL_HANDOVER']);
    });

    it.each<[string, string]>([
      ['inside the window', WINDOW_OPENS],
      ['after the due date', addDays(DUE, 10)],
    ])('is not raised when every recipient is upskilled (0): judged %s', (_label, asOf) => {
      expect(raisedOn(notUpskilled(0), asOf)).toBeUndefined();
    });

    it.each<EngagementStatus>(['draft', 'completed', 'cancelled'])(
      'is not raised on a %s engagement, inside the window or past due',
      (status) => {
        for (const asOf of [WINDOW_OPENS, DUE, addDays(DUE, 10)]) {
          expect(raisedOn(notUpskilled(2, { status }), asOf)).toBeUndefined();
        }
        expect(raisedOn(notUpskilled(2, { status: 'active' }), WINDOW_OPENS)).toBeDefined();
      },
    );

    it.each<[number, string, boolean]>([
      [0, addDays(DUE, -1), false],
      [0, DUE, true],
      [0, addDays(DUE, 1), true],
      [30, addDays(DUE, -31), false],
      [30, addDays(DUE, -30), true],
      [3650, addDays(DUE, -3650), true],
      [3650, addDays(DUE, -3651), false],
    ])('with a %d-day window, judged on %s: raised %s', (upskillingWindowDays, asOf, raised) => {
      const found = raisedOn(notUpskilled(1), asOf, policy({ upskillingWindowDays }));
      expect(found !== undefined).toBe(raised);
    });

    it('does not depend on the KT window: a 14-day upskilling window inside a 7-day KT window', () => {
      const riskPolicy = policy({ upskillingWindowDays: 14, ktWindowDays: 7 });
      expect(raisedOn(notUpskilled(1), addDays(DUE, -14), riskPolicy)).toBeDefined();
      expect(raisedOn(notUpskilled(1), addDays(DUE, -15), riskPolicy)).toBeUndefined();
    });

    it('joins the other signals of the worst active case when the window is set', () => {
      const worst = { ...everythingWrong('active'), recipientsNotUpskilled: 1 };
      expect(codes(assessRisk(worst, AS_OF))).not.toContain('RECIPIENT_NOT_UPSKILLED');
      const result = assessRisk(worst, AS_OF, WINDOW);
      expect(codes(result)).toContain('RECIPIENT_NOT_UPSKILLED');
      expect(result.signals.at(-1)?.severity).toBe('low');
      expect(result.score).toBe(100);
    });
  });

  describe('EXIT_PLAN_MISSING and EXIT_PLAN_UNTESTED', () => {
    const exitCodes = (subject: RiskFacts, asOf = AS_OF) =>
      codes(assessRisk(subject, asOf)).filter((code) => code.startsWith('EXIT_PLAN_'));
    const FRESH = [addDays(AS_OF, -30)];

    it('a passed exit rehearsal counts for 365 days', () => {
      expect(EXIT_REHEARSAL_VALID_DAYS).toBe(365);
    });

    it.each<[RiskFacts['criticality'], boolean, string[], SignalCode[]]>([
      ['standard', false, [], []],
      ['standard', true, [], []],
      ['standard', true, FRESH, []],
      ['important', false, [], ['EXIT_PLAN_MISSING']],
      ['important', false, FRESH, ['EXIT_PLAN_MISSING']],
      ['important', true, [], ['EXIT_PLAN_UNTESTED']],
      ['important', true, FRESH, []],
      ['critical', false, [], ['EXIT_PLAN_MISSING']],
      ['critical', false, FRESH, ['EXIT_PLAN_MISSING']],
      ['critical', true, [], ['EXIT_PLAN_UNTESTED']],
      ['critical', true, FRESH, []],
    ])(
      '%s criticality, exit plan %s, passed rehearsals %j: raises %j',
      (criticality, hasExitPlan, passedExitRehearsals, expected) => {
        expect(exitCodes(facts({ criticality, hasExitPlan, passedExitRehearsals }))).toEqual(
          expected,
        );
      },
    );

    it.each<['important' | 'critical', string]>([
      ['important', 'an important function'],
      ['critical', 'a critical function'],
    ])('EXIT_PLAN_MISSING is medium for %s criticality, saying “%s”', (criticality, words) => {
      const found = signal(assessRisk(facts({ criticality }), AS_OF), 'EXIT_PLAN_MISSING');
      expect(found).toMatchObject({ severity: 'medium', data: { criticality } });
      expect(found?.message).toContain(words);
    });

    it.each<[string, boolean, string | null, number[]]>([
      ['rehearsed on asOf', false, AS_OF, [0]],
      ['rehearsed exactly 365 days ago', false, addDays(AS_OF, -365), [365]],
      ['rehearsed 366 days ago', true, addDays(AS_OF, -366), [366]],
      ['never rehearsed', true, null, []],
      ['rehearsed only after asOf', true, null, [-1]],
      ['rehearsed after asOf and 366 days before', true, addDays(AS_OF, -366), [-1, 366]],
      ['rehearsed 10 and 400 days ago', false, addDays(AS_OF, -10), [10, 400]],
    ])(
      'an exit plan %s: EXIT_PLAN_UNTESTED raised %s (last tested on %s)',
      (_label, raised, lastTestedOn, daysAgo) => {
        const subject = facts({
          criticality: 'critical',
          hasExitPlan: true,
          passedExitRehearsals: daysAgo.map((days) => addDays(AS_OF, -days)),
        });
        const found = signal(assessRisk(subject, AS_OF), 'EXIT_PLAN_UNTESTED');
        expect(found !== undefined).toBe(raised);
        if (raised) {
          expect(found).toMatchObject({
            severity: 'medium',
            data: { criticality: 'critical', lastTestedOn },
          });
          expect(found?.message).toContain(lastTestedOn ?? 'never');
        }
      },
    );

    it('does not depend on operatorEvidenceDays: the rehearsal window is 365 days', () => {
      const subject = facts({
        criticality: 'important',
        hasExitPlan: true,
        passedExitRehearsals: [addDays(AS_OF, -200)],
      });
      expect(codes(assessRisk(subject, AS_OF, policy({ operatorEvidenceDays: 30 })))).not.toContain(
        'EXIT_PLAN_UNTESTED',
      );
    });
  });

  describe('the capability and exit-plan signals by engagement status', () => {
    const cases: [SignalCode, Partial<RiskFacts>][] = [
      [
        'CAPABILITY_UNPROVEN',
        {
          finalHandover: handover({ dueDate: TODAY, baselineDueDate: TODAY }),
          operatorEvidence: [],
        },
      ],
      ['EXIT_PLAN_MISSING', { criticality: 'critical', hasExitPlan: false }],
      ['EXIT_PLAN_UNTESTED', { criticality: 'important', hasExitPlan: true }],
    ];
    const rows = cases.flatMap(([code, overrides]) =>
      (['active', 'completed', 'cancelled'] as const).map(
        (status) => [code, status, status === 'active', overrides] as const,
      ),
    );

    it.each(rows)('%s when the engagement is %s: raised %s', (code, status, raised, overrides) => {
      expect(codes(assessRisk(facts({ ...overrides, status }), AS_OF)).includes(code)).toBe(raised);
    });

    it.each([cases[0], cases[2]])('%s is never raised on a draft', (code, overrides) => {
      expect(codes(assessRisk(facts({ ...overrides, status: 'draft' }), AS_OF))).not.toContain(
        code,
      );
    });

    it('EXIT_PLAN_MISSING is structural (SPEC §8 †): a draft raises it', () => {
      expect(codes(assessRisk(facts({ ...cases[1][1], status: 'draft' }), AS_OF))).toEqual([
        'EXIT_PLAN_MISSING',
      ]);
    });
  });

  describe('engagement status', () => {
    it('raises every signal but NO_FINAL_HANDOVER/NO_KT_ARTIFACTS/EXIT_PLAN_UNTESTED for the worst active case', () => {
      expect(new Set(codes(assessRisk(everythingWrong('active'), AS_OF)))).toEqual(
        new Set<SignalCode>([
          'HANDOVER_SLIPPED',
          'HANDOVER_OVERDUE',
          'MILESTONE_OVERDUE',
          'ARTIFACTS_OVERDUE',
          'ARTIFACTS_REJECTED',
          'BUS_FACTOR_ONE',
          'HANDOVER_AFTER_EXIT_DEADLINE',
          'CAPABILITY_UNPROVEN',
          'EXIT_PLAN_MISSING',
        ]),
      );
    });

    it.each<EngagementStatus>(['completed', 'cancelled'])(
      'a %s engagement carries no risk: no signals, level none, score 0',
      (status) => {
        const none = { level: 'none', score: 0, dependencyTrap: false, signals: [] };
        expect(assessRisk(everythingWrong(status), AS_OF)).toEqual(none);
        expect(
          assessRisk(
            facts({
              status,
              finalHandover: null,
              artifactCount: 0,
              acceptedArtifactCount: 0,
              knowledgeRecipientCount: 0,
            }),
            AS_OF,
          ),
        ).toEqual(none);
      },
    );

    it('a draft has only the structural signals, never the date signals, even when dates passed', () => {
      // A standard engagement: EXIT_PLAN_MISSING on a draft is judged under its own heading.
      const result = assessRisk({ ...everythingWrong('draft'), criticality: 'standard' }, AS_OF);
      expect(codes(result).sort()).toEqual(['BUS_FACTOR_ONE', 'HANDOVER_AFTER_EXIT_DEADLINE']);
    });

    it('a draft without a handover, artifacts or recipients raises the three structural signals', () => {
      const result = assessRisk(
        facts({
          status: 'draft',
          finalHandover: null,
          openMilestones: [{ id: 'm-1', dueDate: YESTERDAY }],
          artifactCount: 0,
          acceptedArtifactCount: 0,
          rejectedArtifactCount: 0,
          knowledgeRecipientCount: 0,
        }),
        AS_OF,
      );
      expect(codes(result).sort()).toEqual([
        'BUS_FACTOR_ONE',
        'NO_FINAL_HANDOVER',
        'NO_KT_ARTIFACTS',
      ]);
      expect(result).toMatchObject({ level: 'high', score: 90, dependencyTrap: true });
    });

    const draftDateCases: [SignalCode, Partial<RiskFacts>][] = [
      ['HANDOVER_SLIPPED', { finalHandover: slipped(60, 3) }],
      [
        'HANDOVER_OVERDUE',
        { finalHandover: handover({ dueDate: YESTERDAY, baselineDueDate: YESTERDAY }) },
      ],
      ['MILESTONE_OVERDUE', { openMilestones: [{ id: 'm-1', dueDate: YESTERDAY }] }],
      ['ARTIFACTS_OVERDUE', { unacceptedArtifactsByDueDate: [{ dueDate: YESTERDAY, count: 2 }] }],
      [
        'KT_BEHIND_SCHEDULE',
        {
          finalHandover: handover({ dueDate: TODAY, baselineDueDate: TODAY }),
          acceptedArtifactCount: 0,
        },
      ],
      ['ARTIFACTS_REJECTED', { rejectedArtifactCount: 2 }],
      [
        'CAPABILITY_UNPROVEN',
        {
          finalHandover: handover({ dueDate: TODAY, baselineDueDate: TODAY }),
          operatorEvidence: [],
        },
      ],
      ['EXIT_PLAN_UNTESTED', { criticality: 'critical', hasExitPlan: true }],
    ];

    it.each(draftDateCases)('a draft never raises %s (raised when active)', (code, overrides) => {
      expect(codes(assessRisk(facts({ ...overrides, status: 'active' }), AS_OF))).toContain(code);
      expect(assessRisk(facts({ ...overrides, status: 'draft' }), AS_OF)).toEqual({
        level: 'none',
        score: 0,
        dependencyTrap: false,
        signals: [],
      });
    });

    const structuralCases: [SignalCode, Partial<RiskFacts>][] = [
      ['NO_KT_ARTIFACTS', { artifactCount: 0, acceptedArtifactCount: 0 }],
      ['BUS_FACTOR_ONE', { knowledgeRecipientCount: 1 }],
      ['NO_FINAL_HANDOVER', { finalHandover: null }],
      ['HANDOVER_AFTER_EXIT_DEADLINE', { lastSafeHandoverDate: addDays(FAR_FUTURE, -1) }],
    ];

    it.each(structuralCases)('a draft raises the structural %s', (code, overrides) => {
      expect(codes(assessRisk(facts({ ...overrides, status: 'draft' }), AS_OF))).toEqual([code]);
    });
  });

  describe('level, score and dependency trap', () => {
    const cases: [label: string, overrides: Partial<RiskFacts>, RiskLevel, number, boolean][] = [
      ['no signal', {}, 'none', 0, false],
      ['one low signal', { rejectedArtifactCount: 1 }, 'low', 5, false],
      ['one medium signal', { knowledgeRecipientCount: 1 }, 'medium', 15, false],
      [
        'a medium and a low signal',
        { knowledgeRecipientCount: 1, rejectedArtifactCount: 1 },
        'medium',
        20,
        false,
      ],
      [
        'two medium signals and a low one',
        {
          knowledgeRecipientCount: 1,
          rejectedArtifactCount: 1,
          openMilestones: [{ id: 'm-1', dueDate: YESTERDAY }],
        },
        'medium',
        35,
        false,
      ],
      ['one high signal', { artifactCount: 0, acceptedArtifactCount: 0 }, 'high', 30, true],
      [
        'a high and a low signal',
        { artifactCount: 0, acceptedArtifactCount: 0, rejectedArtifactCount: 1 },
        'high',
        35,
        true,
      ],
      [
        'one critical signal',
        { finalHandover: handover({ dueDate: YESTERDAY, baselineDueDate: YESTERDAY }) },
        'critical',
        50,
        true,
      ],
      [
        'critical, high and medium signals (95, under the cap)',
        {
          finalHandover: handover({ dueDate: YESTERDAY, baselineDueDate: YESTERDAY }),
          unacceptedArtifactsByDueDate: [{ dueDate: YESTERDAY, count: 1 }],
          openMilestones: [{ id: 'm-1', dueDate: YESTERDAY }],
        },
        'critical',
        95,
        true,
      ],
      [
        'critical, high, medium and low signals (exactly 100)',
        {
          finalHandover: handover({ dueDate: YESTERDAY, baselineDueDate: YESTERDAY }),
          unacceptedArtifactsByDueDate: [{ dueDate: YESTERDAY, count: 1 }],
          openMilestones: [{ id: 'm-1', dueDate: YESTERDAY }],
          rejectedArtifactCount: 1,
        },
        'critical',
        100,
        true,
      ],
      [
        'signals weighing 115 (capped at 100)',
        {
          finalHandover: handover({ dueDate: YESTERDAY, baselineDueDate: YESTERDAY }),
          unacceptedArtifactsByDueDate: [{ dueDate: YESTERDAY, count: 1 }],
          openMilestones: [{ id: 'm-1', dueDate: YESTERDAY }],
          rejectedArtifactCount: 1,
          knowledgeRecipientCount: 1,
        },
        'critical',
        100,
        true,
      ],
      [
        'four high signals weighing 120 without a critical one (capped at 100)',
        {
          artifactCount: 0,
          acceptedArtifactCount: 0,
          knowledgeRecipientCount: 0,
          finalHandover: null,
          unacceptedArtifactsByDueDate: [{ dueDate: YESTERDAY, count: 1 }],
          lastSafeHandoverDate: YESTERDAY,
        },
        'high',
        100,
        true,
      ],
    ];

    // The facts last, so that the title's placeholders take the expected values.
    it.each(
      cases.map(
        ([label, overrides, level, score, trap]) => [label, level, score, trap, overrides] as const,
      ),
    )('%s: level %s, score %d, dependencyTrap %s', (_label, level, score, trap, overrides) => {
      const result = assessRisk(facts(overrides), AS_OF);
      expect(result).toMatchObject({ level, score, dependencyTrap: trap });
    });

    it('the level is the highest severity present and the score the capped sum of weights', () => {
      const result = assessRisk(everythingWrong('active'), AS_OF);
      const severities = result.signals.map((s) => s.severity);
      const highest = severities.reduce((a, b) =>
        RISK_LEVELS.indexOf(a) >= RISK_LEVELS.indexOf(b) ? a : b,
      );
      const sum = severities.reduce((total, s) => total + SEVERITY_WEIGHTS[s], 0);
      expect(result.level).toBe(highest);
      expect(sum).toBeGreaterThan(100);
      expect(result.score).toBe(Math.min(100, sum));
    });

    it('weighs low 5, medium 15, high 30 and critical 50', () => {
      expect(SEVERITY_WEIGHTS).toEqual({ low: 5, medium: 15, high: 30, critical: 50 });
    });
  });

  it('gives every signal a non-empty message', () => {
    const result = assessRisk(everythingWrong('active'), AS_OF);
    for (const s of result.signals) expect(s.message).toEqual(expect.stringMatching(/\S/));
  });

  describe('signal order', () => {
    const rank = (severity: Severity) => RISK_LEVELS.indexOf(severity);

    it('lists signals from the most to the least severe', () => {
      const result = assessRisk(everythingWrong('active'), AS_OF);
      expect(result.signals.map((s) => s.severity)).toEqual([
        'critical',
        'high',
        'high',
        'high',
        'high',
        'medium',
        'medium',
        'medium',
        'low',
      ]);
      expect(result.signals[0].code).toBe('HANDOVER_OVERDUE');
      expect(result.signals.at(-1)?.code).toBe('ARTIFACTS_REJECTED');
    });

    it('puts a low signal raised first after a high one raised later', () => {
      const result = assessRisk(
        facts({ rejectedArtifactCount: 1, knowledgeRecipientCount: 0 }),
        AS_OF,
      );
      expect(codes(result)).toEqual(['BUS_FACTOR_ONE', 'ARTIFACTS_REJECTED']);
    });

    it('lists a medium slip, raised first, after the critical and high signals', () => {
      const result = assessRisk(
        everythingWrong('active'),
        AS_OF,
        policy({ slipDaysHigh: 1000, slipCountHigh: 100 }),
      );
      expect(signal(result, 'HANDOVER_SLIPPED')?.severity).toBe('medium');
      expect(codes(result).indexOf('HANDOVER_SLIPPED')).toBeGreaterThan(
        codes(result).indexOf('HANDOVER_AFTER_EXIT_DEADLINE'),
      );
      for (let i = 1; i < result.signals.length; i += 1) {
        expect(rank(result.signals[i - 1].severity)).toBeGreaterThanOrEqual(
          rank(result.signals[i].severity),
        );
      }
    });
  });
});
