import { nextAttempt, nextWeeklyRun, weeklySlotFrom } from './weekly-schedule.js';

const monday6 = { weekday: 1, hour: 6 };

describe('nextWeeklyRun', () => {
  it.each([
    ['a Sunday', '2026-11-22T01:21:00Z', '2026-11-23T06:00:00.000Z'],
    ['a Monday before the hour', '2026-11-23T05:59:59Z', '2026-11-23T06:00:00.000Z'],
    ['a Monday exactly at the hour', '2026-11-23T06:00:00Z', '2026-11-30T06:00:00.000Z'],
    ['a Monday after the hour', '2026-11-23T07:00:00Z', '2026-11-30T06:00:00.000Z'],
    ['a Wednesday', '2026-11-25T12:00:00Z', '2026-11-30T06:00:00.000Z'],
    ['the last day of the year', '2026-12-31T23:00:00Z', '2027-01-04T06:00:00.000Z'],
  ])('from %s runs next on the following Monday 06:00 UTC', (_when, now, expected) => {
    expect(nextWeeklyRun(new Date(now), monday6).toISOString()).toBe(expected);
  });

  it('honours another weekday and hour', () => {
    expect(
      nextWeeklyRun(new Date('2026-11-23T10:00:00Z'), { weekday: 7, hour: 22 }).toISOString(),
    ).toBe('2026-11-29T22:00:00.000Z');
  });
});

describe('nextAttempt', () => {
  it('waits for the next slot after a success', () => {
    expect(nextAttempt(new Date('2026-11-23T06:00:01Z'), monday6, false).toISOString()).toBe(
      '2026-11-30T06:00:00.000Z',
    );
  });

  it('retries an hour after a failure while the week lasts', () => {
    expect(nextAttempt(new Date('2026-11-23T06:00:01Z'), monday6, true).toISOString()).toBe(
      '2026-11-23T07:00:01.000Z',
    );
    expect(nextAttempt(new Date('2026-11-29T22:30:00Z'), monday6, true).toISOString()).toBe(
      '2026-11-29T23:30:00.000Z',
    );
  });

  it('gives up on a week that ends before the retry and waits for the next slot', () => {
    expect(nextAttempt(new Date('2026-11-29T23:30:00Z'), monday6, true).toISOString()).toBe(
      '2026-11-30T06:00:00.000Z',
    );
  });
});

describe('weeklySlotFrom', () => {
  it('defaults to Monday 06:00 UTC', () => {
    expect(weeklySlotFrom({})).toEqual(monday6);
  });

  it('reads REPORT_WEEKDAY and REPORT_HOUR_UTC', () => {
    expect(weeklySlotFrom({ REPORT_WEEKDAY: '5', REPORT_HOUR_UTC: '0' })).toEqual({
      weekday: 5,
      hour: 0,
    });
  });

  it.each([
    ['REPORT_WEEKDAY', '0'],
    ['REPORT_WEEKDAY', 'monday'],
    ['REPORT_HOUR_UTC', '24'],
    ['REPORT_HOUR_UTC', '6.5'],
  ])('rejects %s=%s naming the setting', (name, value) => {
    expect(() => weeklySlotFrom({ [name]: value })).toThrow(name);
  });
});
