import { attemptOutcome, retryDelayMs } from './delivery-rules.js';

const SCHEDULE = [10_000, 60_000, 600_000];
const POLICY = { maxAttempts: 5, retryScheduleMs: SCHEDULE };

describe('retryDelayMs', () => {
  it('follows the schedule step of the attempt that failed', () => {
    expect(retryDelayMs(1, SCHEDULE, () => 0.5)).toBe(10_000);
    expect(retryDelayMs(2, SCHEDULE, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(3, SCHEDULE, () => 0.5)).toBe(600_000);
  });

  it('repeats the last step once past the end of the schedule', () => {
    expect(retryDelayMs(7, SCHEDULE, () => 0.5)).toBe(600_000);
  });

  it('spreads the wait by at most 20 % either way', () => {
    expect(retryDelayMs(1, SCHEDULE, () => 0)).toBe(8_000);
    expect(retryDelayMs(1, SCHEDULE, () => 0.999_999)).toBe(12_000);
  });
});

describe('attemptOutcome', () => {
  it.each([200, 202, 204, 299])('counts %i as success', (status) => {
    expect(attemptOutcome({ status, latencyMs: 5 }, 1, POLICY)).toEqual({ kind: 'succeeded' });
  });

  it('fails a delivery at once on 410 and disables the endpoint', () => {
    expect(attemptOutcome({ status: 410, latencyMs: 5 }, 1, POLICY)).toEqual({
      kind: 'failed',
      disable: 'gone',
    });
  });

  it.each([
    [{ status: 500, latencyMs: 5 }],
    [{ status: 301, latencyMs: 5 }],
    [{ status: 404, latencyMs: 5 }],
    [{ error: 'timed out after 10000 ms', latencyMs: 10_000 }],
    [{ error: 'forbidden address', latencyMs: 0 }],
  ])('retries %j while attempts remain', (result) => {
    expect(attemptOutcome(result, 1, POLICY, () => 0.5)).toEqual({
      kind: 'retry',
      delayMs: 10_000,
    });
  });

  it('fails the delivery after the last attempt', () => {
    expect(attemptOutcome({ status: 500, latencyMs: 5 }, 5, POLICY)).toEqual({ kind: 'failed' });
  });
});
