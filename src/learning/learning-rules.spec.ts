import type { SprintLength } from '../config/policies.js';
import { addDays } from '../common/dates.js';
import {
  type DateRange,
  MENTOR_MAX_LEARNERS,
  mentorLearners,
  overlaps,
  peopleProblems,
  sprintDateProblems,
} from './learning-rules.js';

const START = '2026-03-02';
const DEFAULT_LENGTH: SprintLength = { minDays: 28, maxDays: 56 };

/** A sprint from START lasting `days` days (endsOn − startsOn). */
const lasting = (days: number): DateRange => ({ startsOn: START, endsOn: addDays(START, days) });

/** A range given as day offsets from START, both ends inclusive. */
const range = (from: number, to: number): DateRange => ({
  startsOn: addDays(START, from),
  endsOn: addDays(START, to),
});

type Sprint = DateRange & { learnerIds: string[] };
const sprint = (from: number, to: number, ...learnerIds: string[]): Sprint => ({
  ...range(from, to),
  learnerIds,
});

const lengthProblem = (days: number, length = DEFAULT_LENGTH) => ({
  field: 'endsOn',
  message: `endsOn must be ${length.minDays} to ${length.maxDays} days after startsOn, not ${days}`,
});
const dueProblem = (dueDate: string) => ({
  field: 'endsOn',
  message: `endsOn must be on or before the milestone's due date (${dueDate})`,
});

describe('sprintDateProblems', () => {
  describe('length (SPRINT_MIN_DAYS to SPRINT_MAX_DAYS, 28 to 56 by default)', () => {
    it.each<[number, boolean]>([
      [0, false],
      [1, false],
      [27, false],
      [28, true],
      [42, true],
      [56, true],
      [57, false],
      [365, false],
      [-28, false],
    ])('a sprint lasting %d days is allowed: %s', (days, allowed) => {
      expect(sprintDateProblems(lasting(days), undefined, DEFAULT_LENGTH)).toEqual(
        allowed ? [] : [lengthProblem(days)],
      );
    });

    it.each<[SprintLength, number, boolean]>([
      [{ minDays: 14, maxDays: 21 }, 13, false],
      [{ minDays: 14, maxDays: 21 }, 14, true],
      [{ minDays: 14, maxDays: 21 }, 21, true],
      [{ minDays: 14, maxDays: 21 }, 22, false],
      [{ minDays: 14, maxDays: 21 }, 28, false],
      [{ minDays: 7, maxDays: 7 }, 6, false],
      [{ minDays: 7, maxDays: 7 }, 7, true],
      [{ minDays: 7, maxDays: 7 }, 8, false],
    ])('with the length %j, %d days is allowed: %s', (length, days, allowed) => {
      expect(sprintDateProblems(lasting(days), undefined, length)).toEqual(
        allowed ? [] : [lengthProblem(days, length)],
      );
    });

    it('counts calendar days across a month end and a leap day', () => {
      // 2028-02-01 → 2028-02-29 is 28 days (a leap year); 2027-02-01 → 2027-03-01 is 28 too.
      expect(
        sprintDateProblems(
          { startsOn: '2028-02-01', endsOn: '2028-02-29' },
          undefined,
          DEFAULT_LENGTH,
        ),
      ).toEqual([]);
      expect(
        sprintDateProblems(
          { startsOn: '2027-02-01', endsOn: '2027-02-28' },
          undefined,
          DEFAULT_LENGTH,
        ),
      ).toEqual([lengthProblem(27)]);
      expect(
        sprintDateProblems(
          { startsOn: '2027-02-01', endsOn: '2027-03-01' },
          undefined,
          DEFAULT_LENGTH,
        ),
      ).toEqual([]);
    });
  });

  describe("endsOn and the milestone's due date", () => {
    const sample = lasting(30);

    it.each<[string, string, boolean]>([
      ['the day after endsOn', addDays(sample.endsOn, 1), true],
      ['endsOn itself', sample.endsOn, true],
      ['the day before endsOn', addDays(sample.endsOn, -1), false],
      ['long before the sprint', '2020-01-01', false],
    ])('a milestone due on %s: allowed %s', (_label, dueDate, allowed) => {
      expect(sprintDateProblems(sample, dueDate, DEFAULT_LENGTH)).toEqual(
        allowed ? [] : [dueProblem(dueDate)],
      );
    });

    it('is not checked without a milestone (its absence is reported elsewhere)', () => {
      expect(sprintDateProblems(sample, undefined, DEFAULT_LENGTH)).toEqual([]);
    });
  });

  it('reports both problems at once, the length first, both on endsOn', () => {
    const tooLong = lasting(57);
    const dueDate = addDays(tooLong.endsOn, -1);
    expect(sprintDateProblems(tooLong, dueDate, DEFAULT_LENGTH)).toEqual([
      lengthProblem(57),
      dueProblem(dueDate),
    ]);
  });

  it('reports both when the sprint ends before it starts and after the milestone is due', () => {
    const backwards = { startsOn: '2026-06-10', endsOn: '2026-06-01' };
    expect(sprintDateProblems(backwards, '2026-05-31', DEFAULT_LENGTH)).toEqual([
      lengthProblem(-9),
      dueProblem('2026-05-31'),
    ]);
  });
});

describe('peopleProblems', () => {
  const RECIPIENTS = ['r-1', 'r-2', 'r-3'];
  const notRecipient = (index: number) => ({
    field: `learnerIds[${index}]`,
    message: 'learnerIds must name knowledge recipients of the engagement',
  });
  const mentorIsLearner = {
    field: 'mentorId',
    message: 'mentorId must not be one of the learners',
  };

  it.each<[string, string, string[], ReturnType<typeof notRecipient>[]]>([
    ['every learner a recipient, the mentor outside', 'm-1', ['r-1', 'r-2'], []],
    ['one learner', 'm-1', ['r-3'], []],
    ['a mentor who is a recipient but not a learner', 'r-1', ['r-2', 'r-3'], []],
    ['the first learner not a recipient', 'm-1', ['x-1', 'r-1'], [notRecipient(0)]],
    ['the last learner not a recipient', 'm-1', ['r-1', 'r-2', 'x-1'], [notRecipient(2)]],
    [
      'several learners not recipients, each by its index',
      'm-1',
      ['x-1', 'r-1', 'x-2', 'x-3'],
      [notRecipient(0), notRecipient(2), notRecipient(3)],
    ],
  ])('%s', (_label, mentorId, learnerIds, expected) => {
    expect(peopleProblems({ mentorId, learnerIds }, RECIPIENTS)).toEqual(expected);
  });

  it('rejects a mentor who is one of the learners, naming mentorId', () => {
    expect(peopleProblems({ mentorId: 'r-2', learnerIds: ['r-1', 'r-2'] }, RECIPIENTS)).toEqual([
      mentorIsLearner,
    ]);
  });

  it('reports learners outside the recipients and a mentor among the learners together', () => {
    expect(peopleProblems({ mentorId: 'x-1', learnerIds: ['r-1', 'x-1'] }, RECIPIENTS)).toEqual([
      notRecipient(1),
      mentorIsLearner,
    ]);
  });

  it('rejects every learner when the engagement has no recipients', () => {
    expect(peopleProblems({ mentorId: 'm-1', learnerIds: ['r-1', 'r-2'] }, [])).toEqual([
      notRecipient(0),
      notRecipient(1),
    ]);
  });
});

describe('overlaps (dates inclusive)', () => {
  const A = range(0, 28);

  it.each<[string, boolean, DateRange]>([
    ['one starting on the day the other ends', true, range(28, 56)],
    ['one starting the day after the other ends', false, range(29, 57)],
    ['one ending on the day the other starts', true, range(-28, 0)],
    ['one ending the day before the other starts', false, range(-28, -1)],
    ['one contained in the other', true, range(7, 14)],
    ['one containing the other', true, range(-10, 40)],
    ['identical ranges', true, range(0, 28)],
    ['partly overlapping ranges', true, range(20, 48)],
    ['a one-day range on the first day', true, range(0, 0)],
    ['a one-day range on the last day', true, range(28, 28)],
    ['ranges far apart', false, range(100, 128)],
  ])('%s: %s', (_label, expected, other) => {
    expect(overlaps(A, other)).toBe(expected);
    expect(overlaps(other, A)).toBe(expected);
  });

  it('compares dates across a year end', () => {
    expect(
      overlaps(
        { startsOn: '2026-12-01', endsOn: '2026-12-31' },
        { startsOn: '2026-12-31', endsOn: '2027-01-28' },
      ),
    ).toBe(true);
    expect(
      overlaps(
        { startsOn: '2026-12-01', endsOn: '2026-12-30' },
        { startsOn: '2026-12-31', endsOn: '2027-01-28' },
      ),
    ).toBe(false);
  });
});

describe('mentorLearners', () => {
  const NEW = sprint(0, 28, 'a');

  it('allows at most 3 distinct learners', () => {
    expect(MENTOR_MAX_LEARNERS).toBe(3);
  });

  it.each<[string, Sprint, Sprint[], string[]]>([
    ['a first sprint: its own learners', sprint(0, 28, 'b', 'a'), [], ['a', 'b']],
    [
      'a sprint ending on the day the new one starts counts',
      NEW,
      [sprint(-28, 0, 'b')],
      ['a', 'b'],
    ],
    [
      'a sprint starting on the day the new one ends counts',
      NEW,
      [sprint(28, 56, 'c')],
      ['a', 'c'],
    ],
    ['a sprint ending the day before is ignored', NEW, [sprint(-29, -1, 'b')], ['a']],
    ['a sprint starting the day after is ignored', NEW, [sprint(29, 57, 'b')], ['a']],
    [
      'the same learner in two sprints counts once',
      NEW,
      [sprint(-10, 18, 'a', 'b'), sprint(10, 38, 'b')],
      ['a', 'b'],
    ],
    [
      'only overlapping sprints count: a non-overlapping one is ignored',
      NEW,
      [sprint(5, 33, 'b'), sprint(60, 88, 'c', 'd', 'e'), sprint(-60, -30, 'f')],
      ['a', 'b'],
    ],
    [
      'sprints that overlap the new one but not each other both count',
      NEW,
      [sprint(-20, 2, 'b'), sprint(26, 54, 'c')],
      ['a', 'b', 'c'],
    ],
  ])('%s', (_label, subject, others, expected) => {
    expect(mentorLearners(subject, others)).toEqual(expected);
  });

  it.each<[string, number, boolean, Sprint, Sprint[]]>([
    ['exactly 3 in the new sprint alone', 3, true, sprint(0, 28, 'a', 'b', 'c'), []],
    ['4 in the new sprint alone', 4, false, sprint(0, 28, 'a', 'b', 'c', 'd'), []],
    [
      'exactly 3 across overlapping sprints',
      3,
      true,
      NEW,
      [sprint(-5, 23, 'b'), sprint(20, 48, 'c')],
    ],
    [
      '4 across overlapping sprints',
      4,
      false,
      NEW,
      [sprint(-5, 23, 'b', 'c'), sprint(28, 56, 'd')],
    ],
    [
      'a fourth learner only in a sprint that does not overlap',
      3,
      true,
      NEW,
      [sprint(-5, 23, 'b', 'c'), sprint(29, 57, 'd')],
    ],
    [
      'learners repeated across sprints',
      3,
      true,
      sprint(0, 28, 'a', 'b'),
      [sprint(-5, 23, 'a', 'c'), sprint(10, 38, 'b', 'c')],
    ],
  ])('%s: %d distinct, allowed %s', (_label, count, allowed, subject, others) => {
    const learners = mentorLearners(subject, others);
    expect(learners).toHaveLength(count);
    expect(learners.length <= MENTOR_MAX_LEARNERS).toBe(allowed);
  });

  it('returns the learners sorted and does not change its arguments', () => {
    const subject = sprint(0, 28, 'z', 'm');
    const others = [sprint(0, 28, 'b', 'z')];
    const copy = structuredClone({ subject, others });
    expect(mentorLearners(subject, others)).toEqual(['b', 'm', 'z']);
    expect({ subject, others }).toEqual(copy);
  });
});
