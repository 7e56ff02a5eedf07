import { escalatesOn, isEscalationLevel, levelAnswered } from './escalation-rules.js';

describe('escalatesOn', () => {
  it('escalates the grace period after the day the level was reached', () => {
    expect(escalatesOn({ since: '2026-12-01', acknowledgedUntil: null, graceDays: 7 })).toBe(
      '2026-12-08',
    );
  });

  it('restarts the grace period from an acknowledgement’s until', () => {
    expect(
      escalatesOn({ since: '2026-12-01', acknowledgedUntil: '2026-12-15', graceDays: 7 }),
    ).toBe('2026-12-22');
  });

  it('ignores an acknowledgement that ended before the level was reached', () => {
    expect(
      escalatesOn({ since: '2026-12-01', acknowledgedUntil: '2026-11-20', graceDays: 7 }),
    ).toBe('2026-12-08');
  });

  it('escalates on the day itself with no grace period', () => {
    expect(escalatesOn({ since: '2026-12-01', acknowledgedUntil: null, graceDays: 0 })).toBe(
      '2026-12-01',
    );
  });
});

describe('levelAnswered', () => {
  it.each([
    ['none', 'high'],
    ['medium', 'high'],
    ['high', 'high'],
    ['critical', 'critical'],
  ])('answers up to %s → %s', (level, answered) => {
    expect(levelAnswered(level)).toBe(answered);
  });
});

describe('isEscalationLevel', () => {
  it.each([
    ['none', false],
    ['low', false],
    ['medium', false],
    ['high', true],
    ['critical', true],
  ])('%s → %s', (level, escalated) => {
    expect(isEscalationLevel(level)).toBe(escalated);
  });
});
