import { isoWeekOf, isoWeeksInYear, isValidIsoWeek } from './iso-week.js';

describe('ISO weeks', () => {
  it.each([
    ['2026-11-21', '2026-W47'],
    ['2026-11-16', '2026-W47'],
    ['2026-11-22', '2026-W47'],
    ['2026-11-23', '2026-W48'],
    ['2021-01-03', '2020-W53'],
    ['2021-01-04', '2021-W01'],
    ['2024-12-30', '2025-W01'],
    ['2026-01-01', '2026-W01'],
    ['2027-01-01', '2026-W53'],
    ['2027-01-04', '2027-W01'],
  ])('puts %s in %s', (date, week) => {
    expect(isoWeekOf(date)).toBe(week);
  });

  it.each([
    [2020, 53],
    [2021, 52],
    [2026, 53],
    [2027, 52],
  ])('counts the weeks of %i: %i', (year, weeks) => {
    expect(isoWeeksInYear(year)).toBe(weeks);
  });

  it.each(['2026-W01', '2026-W47', '2026-W53', '2020-W53'])('accepts %s', (week) => {
    expect(isValidIsoWeek(week)).toBe(true);
  });

  it.each(['2027-W53', '2026-W00', '2026-W54', '2026-47', '2026-w47', 'W47', '26-W47', ''])(
    'rejects %p',
    (week) => {
      expect(isValidIsoWeek(week)).toBe(false);
    },
  );
});
