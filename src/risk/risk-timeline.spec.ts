import fc from 'fast-check';
import { addDays } from '../common/dates.js';
import { ENGAGEMENT_STATUSES } from '../engagements/engagement-status.js';
import { DEFAULT_RISK_POLICY, assessRisk } from './assess-risk.js';
import type { RiskFacts, RiskPolicy, SignalCode } from './assess-risk.js';
import {
  type ForecastEntry,
  type RiskSegment,
  forecastRisk,
  judgementBoundaries,
  riskTimeline,
  sameJudgement,
  signalBit,
  signalChanges,
  signalMask,
} from './risk-timeline.js';

const AS_OF = '2026-06-15';
const FAR_FUTURE = '2027-12-31';
const HORIZON_DAYS = 90;
const day = (offset: number) => addDays(AS_OF, offset);

type Handover = NonNullable<RiskFacts['finalHandover']>;

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

/**
 * A healthy active engagement: two recipients, a final handover far beyond the forecast horizon
 * (its KT window too), half of four artifacts accepted, nothing overdue, rejected or late.
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
    ...overrides,
  };
}

/** Facts whose final handover is due on `dueDate` with none of its four artifacts accepted. */
function handoverDue(dueDate: string, overrides: Partial<RiskFacts> = {}): RiskFacts {
  return facts({
    finalHandover: handover({ dueDate, baselineDueDate: dueDate }),
    unacceptedArtifactsByDueDate: [{ dueDate, count: 4 }],
    acceptedArtifactCount: 0,
    ...overrides,
  });
}

/**
 * Facts with open milestones (other than the final handover) due on these days; the final
 * handover is completed, so that the milestones are the only dates that move the judgement.
 */
const milestonesDue = (...dueDates: string[]): RiskFacts =>
  facts({
    finalHandover: handover({ completedOn: AS_OF }),
    openMilestones: dueDates.map((dueDate, i) => ({ id: `m-${i + 1}`, dueDate })),
  });

const policy = (overrides: Partial<RiskPolicy>): RiskPolicy => ({
  ...DEFAULT_RISK_POLICY,
  ...overrides,
});

const forecast = (subject: RiskFacts, riskPolicy: RiskPolicy = DEFAULT_RISK_POLICY) =>
  forecastRisk(subject, AS_OF, riskPolicy, HORIZON_DAYS);

const mask = (...codes: SignalCode[]): number =>
  codes.reduce((bits, code) => bits | signalBit(code), 0);

/**
 * SPEC §5's example, as of 2026-11-01: an active engagement with two recipients, its final
 * handover due 2026-12-15 (on its baseline, never slipped), one artifact due with it and not
 * accepted.
 */
const SPEC_AS_OF = '2026-11-01';
const specExample: RiskFacts = {
  status: 'active',
  finalHandover: {
    dueDate: '2026-12-15',
    baselineDueDate: '2026-12-15',
    completedOn: null,
    slipCount: 0,
  },
  openMilestones: [],
  unacceptedArtifactsByDueDate: [{ dueDate: '2026-12-15', count: 1 }],
  artifactCount: 1,
  acceptedArtifactCount: 0,
  rejectedArtifactCount: 0,
  knowledgeRecipientCount: 2,
  lastSafeHandoverDate: null,
};

// ---------------------------------------------------------------------------------------------
// Generators for the property test.

const FIRST_DAY = '2026-01-01';
const SPAN_DAYS = 730; // 2026-01-01 .. 2027-12-31
const MARGIN_DAYS = 70;

const dateArb = fc.integer({ min: 0, max: SPAN_DAYS }).map((offset) => addDays(FIRST_DAY, offset));

const handoverArb: fc.Arbitrary<Handover> = fc.record({
  dueDate: dateArb,
  baselineDueDate: fc.option(dateArb, { freq: 4 }),
  completedOn: fc.option(dateArb, { freq: 2 }),
  slipCount: fc.integer({ min: 0, max: 4 }),
});

/**
 * Random facts, consistent like the SQL aggregate: every unaccepted artifact is in a group of
 * its due date, so `artifactCount` = accepted + Σ group counts, and rejected ones are among the
 * unaccepted.
 */
const factsArb: fc.Arbitrary<RiskFacts> = fc
  .record({
    status: fc.constantFrom(...ENGAGEMENT_STATUSES),
    finalHandover: fc.option(handoverArb, { freq: 6 }),
    openMilestones: fc.array(dateArb, { maxLength: 4 }),
    groups: fc.array(fc.record({ dueDate: dateArb, count: fc.integer({ min: 1, max: 3 }) }), {
      maxLength: 3,
    }),
    accepted: fc.integer({ min: 0, max: 4 }),
    rejectedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    knowledgeRecipientCount: fc.integer({ min: 0, max: 3 }),
    lastSafeHandoverDate: fc.option(dateArb, { freq: 3 }),
  })
  .map(({ openMilestones, groups, accepted, rejectedShare, ...rest }) => {
    const unaccepted = groups.reduce((sum, group) => sum + group.count, 0);
    return {
      ...rest,
      openMilestones: openMilestones.map((dueDate, i) => ({ id: `m-${i + 1}`, dueDate })),
      unacceptedArtifactsByDueDate: groups,
      artifactCount: accepted + unaccepted,
      acceptedArtifactCount: accepted,
      rejectedArtifactCount: Math.floor(rejectedShare * unaccepted),
    };
  });

const policyArb: fc.Arbitrary<RiskPolicy> = fc.record({
  ktWindowDays: fc.integer({ min: 0, max: 60 }),
  slipDaysHigh: fc.integer({ min: 0, max: 60 }),
  slipCountHigh: fc.integer({ min: 0, max: 4 }),
  ktMinAccepted: fc.oneof(fc.constantFrom(0, 0.5, 1), fc.double({ min: 0, max: 1, noNaN: true })),
});

/** Every date the facts name. */
function datesOf(subject: RiskFacts): string[] {
  const handoverDates = subject.finalHandover
    ? [
        subject.finalHandover.dueDate,
        subject.finalHandover.baselineDueDate,
        subject.finalHandover.completedOn,
      ]
    : [];
  return [
    ...handoverDates,
    ...subject.openMilestones.map((milestone) => milestone.dueDate),
    ...subject.unacceptedArtifactsByDueDate.map((group) => group.dueDate),
    subject.lastSafeHandoverDate,
  ].filter((date): date is string => date !== null);
}

/** Every day from the facts' first date − 70 days to their last date + 70 days. */
function daysAround(subject: RiskFacts): string[] {
  const dates = datesOf(subject).sort();
  const first = addDays(dates[0] ?? FIRST_DAY, -MARGIN_DAYS);
  const last = addDays(dates[dates.length - 1] ?? FIRST_DAY, MARGIN_DAYS);
  const days: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

const contains = (segment: RiskSegment, d: string): boolean =>
  (segment.from === null || segment.from <= d) && (segment.until === null || d < segment.until);

describe('judgementBoundaries and riskTimeline agree with assessRisk on every day', () => {
  const runs = { numRuns: 300 };

  it('every day on which the judgement differs from the day before is a boundary', () => {
    fc.assert(
      fc.property(factsArb, policyArb, (subject, riskPolicy) => {
        const boundaries = new Set(judgementBoundaries(subject, riskPolicy));
        const days = daysAround(subject);
        const missing: string[] = [];
        let previous = assessRisk(subject, days[0], riskPolicy);
        for (const d of days.slice(1)) {
          const current = assessRisk(subject, d, riskPolicy);
          if (!sameJudgement(previous, current) && !boundaries.has(d)) missing.push(d);
          previous = current;
        }
        expect(missing).toEqual([]);
      }),
      runs,
    );
  });

  it('gives consecutive, distinct segments whose level, score and signals are assessRisk’s', () => {
    fc.assert(
      fc.property(factsArb, policyArb, (subject, riskPolicy) => {
        const segments = riskTimeline(subject, riskPolicy);
        expect(segments.length).toBeGreaterThan(0);
        expect(segments[0].from).toBeNull();
        expect(segments[segments.length - 1].until).toBeNull();
        for (let i = 1; i < segments.length; i++) {
          const [before, after] = [segments[i - 1], segments[i]];
          expect(before.until).not.toBeNull();
          expect(before.until).toBe(after.from);
          if (before.from !== null) expect(before.from < (before.until as string)).toBe(true);
          expect([before.level, before.score, before.signalMask]).not.toEqual([
            after.level,
            after.score,
            after.signalMask,
          ]);
        }
        // One expect for all days: an expect per day would make the property slow.
        const mismatches: unknown[] = [];
        let index = 0;
        for (const d of daysAround(subject)) {
          while (!contains(segments[index], d)) index++;
          const { level, score, signalMask: bits } = segments[index];
          const assessment = assessRisk(subject, d, riskPolicy);
          const expected = {
            level: assessment.level,
            score: assessment.score,
            signalMask: signalMask(assessment),
          };
          if (level !== expected.level || score !== expected.score || bits !== expected.signalMask)
            mismatches.push({ d, segment: segments[index], expected });
        }
        expect(mismatches).toEqual([]);
      }),
      runs,
    );
  });
});

describe('forecastRisk', () => {
  it('reproduces SPEC §5’s example: KT behind schedule on 2026-11-15, overdue on 2026-12-16', () => {
    // SPEC's example also raises CAPABILITY_UNPROVEN on 2026-11-15: that signal belongs to §8
    // (drills), which is not built yet, so it is absent here and its weight is not counted.
    expect(forecastRisk(specExample, SPEC_AS_OF, DEFAULT_RISK_POLICY, HORIZON_DAYS)).toEqual<
      ForecastEntry[]
    >([
      // KT_BEHIND_SCHEDULE high 30.
      { on: '2026-11-15', level: 'high', score: 30, raised: ['KT_BEHIND_SCHEDULE'], cleared: [] },
      // HANDOVER_OVERDUE critical 50 + ARTIFACTS_OVERDUE high 30.
      {
        on: '2026-12-16',
        level: 'critical',
        score: 80,
        raised: ['HANDOVER_OVERDUE', 'ARTIFACTS_OVERDUE'],
        cleared: ['KT_BEHIND_SCHEDULE'],
      },
    ]);
  });

  it('has no entry for the SPEC example as of a day with nothing left to change', () => {
    expect(forecastRisk(specExample, '2026-12-16', DEFAULT_RISK_POLICY, HORIZON_DAYS)).toEqual([]);
  });

  describe('horizon', () => {
    const overdueEntry = (on: string): ForecastEntry => ({
      on,
      level: 'medium',
      score: 15,
      raised: ['MILESTONE_OVERDUE'],
      cleared: [],
    });

    it.each<[string, string, ForecastEntry[]]>([
      ['a change on asOf + 90 days is included', day(89), [overdueEntry(day(90))]],
      ['a change on asOf + 91 days is excluded', day(90), []],
      ['a change on the day after asOf is included', AS_OF, [overdueEntry(day(1))]],
      ['a change on asOf itself is today’s judgement, not an entry', day(-1), []],
      ['a change before asOf is not an entry', day(-10), []],
    ])('%s', (_label, milestoneDue, expected) => {
      expect(forecast(milestonesDue(milestoneDue))).toEqual(expected);
    });

    it('honours a shorter horizon than the default', () => {
      expect(forecastRisk(milestonesDue(day(9)), AS_OF, DEFAULT_RISK_POLICY, 10)).toEqual([
        overdueEntry(day(10)),
      ]);
      expect(forecastRisk(milestonesDue(day(10)), AS_OF, DEFAULT_RISK_POLICY, 10)).toEqual([]);
    });

    it('has no entry with a horizon of 0 days', () => {
      expect(forecastRisk(milestonesDue(AS_OF), AS_OF, DEFAULT_RISK_POLICY, 0)).toEqual([]);
    });
  });

  describe('KT window and final handover', () => {
    const overdue = (on: string): ForecastEntry => ({
      on,
      level: 'critical',
      score: 80,
      raised: ['HANDOVER_OVERDUE', 'ARTIFACTS_OVERDUE'],
      cleared: ['KT_BEHIND_SCHEDULE'],
    });
    const ktBehind = (on: string): ForecastEntry => ({
      on,
      level: 'high',
      score: 30,
      raised: ['KT_BEHIND_SCHEDULE'],
      cleared: [],
    });

    it.each<[string, number, number, ForecastEntry[]]>([
      ['default 30-day window', 30, 40, [ktBehind(day(10)), overdue(day(41))]],
      ['7-day window', 7, 40, [ktBehind(day(33)), overdue(day(41))]],
      ['0-day window: only the due date itself', 0, 40, [ktBehind(day(40)), overdue(day(41))]],
      ['window opening tomorrow', 30, 31, [ktBehind(day(1)), overdue(day(32))]],
    ])(
      'raises KT_BEHIND_SCHEDULE on the window’s first day (due − ktWindowDays) and the overdue signals the day after the due date: %s',
      (_label, ktWindowDays, dueInDays, expected) => {
        expect(forecast(handoverDue(day(dueInDays)), policy({ ktWindowDays }))).toEqual(expected);
      },
    );

    it('has only the overdue entry when the KT window is already open', () => {
      expect(forecast(handoverDue(day(10)))).toEqual([overdue(day(11))]);
    });

    it('has no KT entry when enough artifacts are accepted, only the overdue one', () => {
      expect(
        forecast(
          facts({
            finalHandover: handover({ dueDate: day(40), baselineDueDate: day(40) }),
            unacceptedArtifactsByDueDate: [{ dueDate: day(40), count: 2 }],
          }),
        ),
      ).toEqual<ForecastEntry[]>([
        {
          on: day(41),
          level: 'critical',
          score: 80,
          raised: ['HANDOVER_OVERDUE', 'ARTIFACTS_OVERDUE'],
          cleared: [],
        },
      ]);
    });

    it('has no HANDOVER_OVERDUE entry once the final handover is completed', () => {
      const completed = facts({
        finalHandover: handover({ dueDate: day(10), baselineDueDate: day(10), completedOn: AS_OF }),
        acceptedArtifactCount: 4,
      });
      expect(forecast(completed)).toEqual([]);
      expect(forecast({ ...completed, openMilestones: [{ id: 'm-1', dueDate: day(20) }] })).toEqual(
        [{ on: day(21), level: 'medium', score: 15, raised: ['MILESTONE_OVERDUE'], cleared: [] }],
      );
    });
  });

  it('does not count a milestone due today as overdue: its entry is on the next day', () => {
    expect(assessRisk(milestonesDue(AS_OF), AS_OF).signals).toEqual([]);
    expect(forecast(milestonesDue(AS_OF))).toEqual([
      { on: day(1), level: 'medium', score: 15, raised: ['MILESTONE_OVERDUE'], cleared: [] },
    ]);
  });

  describe('engagements that time does not change', () => {
    const everythingDueSoon = (status: RiskFacts['status']): RiskFacts =>
      handoverDue(day(40), {
        status,
        openMilestones: [{ id: 'm-1', dueDate: day(5) }],
        unacceptedArtifactsByDueDate: [{ dueDate: day(5), count: 4 }],
        knowledgeRecipientCount: 1,
        rejectedArtifactCount: 1,
      });

    it.each(['completed', 'cancelled', 'draft'] as const)(
      'a %s engagement has no forecast and no boundaries',
      (status) => {
        const subject = everythingDueSoon(status);
        expect(forecast(subject)).toEqual([]);
        expect(judgementBoundaries(subject, DEFAULT_RISK_POLICY)).toEqual([]);
      },
    );

    it('the same facts while active do have a forecast', () => {
      expect(forecast(everythingDueSoon('active')).map((entry) => entry.on)).toEqual([
        day(6),
        day(10),
        day(41),
      ]);
    });
  });

  describe('a day on which only signal data changes is never an entry', () => {
    it('a final handover already overdue: daysOverdue grows every day, no entry', () => {
      const subject = handoverDue(day(-5));
      const today = assessRisk(subject, AS_OF);
      const later = assessRisk(subject, day(30));
      expect(today.signals.find((s) => s.code === 'HANDOVER_OVERDUE')?.data).toMatchObject({
        daysOverdue: 5,
      });
      expect(later.signals.find((s) => s.code === 'HANDOVER_OVERDUE')?.data).toMatchObject({
        daysOverdue: 35,
      });
      expect(sameJudgement(today, later)).toBe(true);
      expect(forecast(subject)).toEqual([]);
    });

    it('a second overdue milestone only raises the count: one entry, for the first', () => {
      const subject = milestonesDue(day(5), day(20));
      const afterFirst = assessRisk(subject, day(6));
      const afterSecond = assessRisk(subject, day(21));
      expect(afterFirst).toMatchObject({ level: 'medium', score: 15 });
      expect(afterFirst.signals.map((s) => [s.code, s.data.count])).toEqual([
        ['MILESTONE_OVERDUE', 1],
      ]);
      expect(afterSecond).toMatchObject({ level: 'medium', score: 15 });
      expect(afterSecond.signals.map((s) => [s.code, s.data.count])).toEqual([
        ['MILESTONE_OVERDUE', 2],
      ]);
      expect(sameJudgement(afterFirst, afterSecond)).toBe(true);
      expect(judgementBoundaries(subject, DEFAULT_RISK_POLICY)).toEqual([day(6), day(21)]);
      expect(forecast(subject)).toEqual([
        { on: day(6), level: 'medium', score: 15, raised: ['MILESTONE_OVERDUE'], cleared: [] },
      ]);
    });

    it('a second artifact group going overdue only raises the count: no entry', () => {
      const subject = facts({
        unacceptedArtifactsByDueDate: [
          { dueDate: day(5), count: 1 },
          { dueDate: day(20), count: 1 },
        ],
      });
      expect(forecast(subject)).toEqual([
        { on: day(6), level: 'high', score: 30, raised: ['ARTIFACTS_OVERDUE'], cleared: [] },
      ]);
    });
  });
});

describe('signalChanges', () => {
  const withCodes = (...codes: SignalCode[]) => ({
    signals: codes.map((code) => ({ code, severity: 'high' as const, message: '', data: {} })),
  });

  it.each<[string, SignalCode[], SignalCode[], SignalCode[], SignalCode[]]>([
    ['nothing before or after', [], [], [], []],
    ['a code only after is raised', [], ['KT_BEHIND_SCHEDULE'], ['KT_BEHIND_SCHEDULE'], []],
    ['a code only before is cleared', ['KT_BEHIND_SCHEDULE'], [], [], ['KT_BEHIND_SCHEDULE']],
    ['a code on both sides is neither', ['BUS_FACTOR_ONE'], ['BUS_FACTOR_ONE'], [], []],
  ])('%s', (_label, before, after, raised, cleared) => {
    expect(signalChanges(withCodes(...before), withCodes(...after))).toEqual({ raised, cleared });
  });
});

describe('riskTimeline', () => {
  it('splits SPEC §5’s example into three segments: none, KT behind, overdue', () => {
    expect(riskTimeline(specExample, DEFAULT_RISK_POLICY)).toEqual<RiskSegment[]>([
      { from: null, until: '2026-11-15', level: 'none', score: 0, signalMask: 0 },
      {
        from: '2026-11-15',
        until: '2026-12-16',
        level: 'high',
        score: 30,
        signalMask: mask('KT_BEHIND_SCHEDULE'),
      },
      {
        from: '2026-12-16',
        until: null,
        level: 'critical',
        score: 80,
        signalMask: mask('HANDOVER_OVERDUE', 'ARTIFACTS_OVERDUE'),
      },
    ]);
  });

  it.each<[string, RiskFacts, RiskSegment]>([
    [
      'a draft with one recipient: its structural signal for ever',
      facts({
        status: 'draft',
        knowledgeRecipientCount: 1,
        finalHandover: handover({ dueDate: day(5) }),
      }),
      { from: null, until: null, level: 'medium', score: 15, signalMask: mask('BUS_FACTOR_ONE') },
    ],
    [
      'a completed engagement: no risk for ever',
      handoverDue(day(5), { status: 'completed' }),
      { from: null, until: null, level: 'none', score: 0, signalMask: 0 },
    ],
    [
      'an active engagement without a final handover or due dates',
      facts({ finalHandover: null }),
      { from: null, until: null, level: 'high', score: 30, signalMask: mask('NO_FINAL_HANDOVER') },
    ],
  ])('is one segment for %s', (_label, subject, segment) => {
    expect(riskTimeline(subject, DEFAULT_RISK_POLICY)).toEqual([segment]);
  });

  it('merges boundaries that change nothing: a second overdue milestone starts no segment', () => {
    expect(riskTimeline(milestonesDue(day(5), day(20)), DEFAULT_RISK_POLICY)).toEqual<
      RiskSegment[]
    >([
      { from: null, until: day(6), level: 'none', score: 0, signalMask: 0 },
      {
        from: day(6),
        until: null,
        level: 'medium',
        score: 15,
        signalMask: mask('MILESTONE_OVERDUE'),
      },
    ]);
  });
});

describe('the judged days', () => {
  it('keeps only boundaries from 1900-01-01 to 2199-12-31: a date of 9999-12-31 has no day after it', () => {
    const subject = handoverDue('9999-12-31', {
      openMilestones: [{ id: 'm1', dueDate: '1900-01-01' }],
    });
    expect(judgementBoundaries(subject, DEFAULT_RISK_POLICY)).toEqual(['1900-01-02']);
    const segments = riskTimeline(subject, DEFAULT_RISK_POLICY);
    expect(segments.map((segment) => [segment.from, segment.until])).toEqual([
      [null, '1900-01-02'],
      ['1900-01-02', null],
    ]);
  });
});
