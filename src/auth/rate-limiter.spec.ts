import { FixedWindowRateLimiter } from './rate-limiter.js';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

describe('FixedWindowRateLimiter', () => {
  it('allows requests up to the limit within one window', () => {
    const limiter = new FixedWindowRateLimiter(3, MINUTE);
    const decisions = [0, 1, 2].map((i) => limiter.consume('key', T0 + i));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true]);
  });

  it('refuses every request after the limit until the window ends', () => {
    const limiter = new FixedWindowRateLimiter(2, MINUTE);
    limiter.consume('key', T0);
    limiter.consume('key', T0);
    expect(limiter.consume('key', T0 + 1).allowed).toBe(false);
    expect(limiter.consume('key', T0 + MINUTE - 1).allowed).toBe(false);
  });

  it('counts remaining requests down to zero and keeps it at zero when refusing', () => {
    const limiter = new FixedWindowRateLimiter(3, MINUTE);
    const remaining = Array.from({ length: 5 }, () => limiter.consume('key', T0).remaining);
    expect(remaining).toEqual([2, 1, 0, 0, 0]);
  });

  it('reports the configured limit in every decision', () => {
    const limiter = new FixedWindowRateLimiter(5, MINUTE);
    expect(limiter.consume('key', T0).limit).toBe(5);
  });

  it.each([
    [0, 60],
    [1, 60],
    [999, 60],
    [1_000, 59],
    [1_001, 59],
    [30_000, 30],
    [59_000, 1],
    [59_001, 1],
    [59_999, 1],
  ])('reports resetSeconds rounded up at %d ms into the window as %d', (elapsed, seconds) => {
    const limiter = new FixedWindowRateLimiter(1000, MINUTE);
    limiter.consume('key', T0);
    expect(limiter.consume('key', T0 + elapsed).resetSeconds).toBe(seconds);
  });

  it('never reports resetSeconds below 1', () => {
    const limiter = new FixedWindowRateLimiter(10, 200);
    limiter.consume('key', T0);
    expect(limiter.consume('key', T0 + 199).resetSeconds).toBe(1);
  });

  it('starts a new window exactly windowMs after the first request of the window', () => {
    const limiter = new FixedWindowRateLimiter(1, MINUTE);
    expect(limiter.consume('key', T0).allowed).toBe(true);
    expect(limiter.consume('key', T0 + MINUTE - 1).allowed).toBe(false);
    const next = limiter.consume('key', T0 + MINUTE);
    expect(next).toEqual({ allowed: true, limit: 1, remaining: 0, resetSeconds: 60 });
  });

  it('anchors the window at the first request, not at a fixed clock boundary', () => {
    const limiter = new FixedWindowRateLimiter(1, MINUTE);
    limiter.consume('key', T0 + 45_000);
    expect(limiter.consume('key', T0 + MINUTE).allowed).toBe(false);
    expect(limiter.consume('key', T0 + 45_000 + MINUTE).allowed).toBe(true);
  });

  it('restores the full allowance in a new window after being refused', () => {
    const limiter = new FixedWindowRateLimiter(2, MINUTE);
    for (let i = 0; i < 5; i += 1) limiter.consume('key', T0);
    expect(limiter.consume('key', T0 + 2 * MINUTE)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('counts keys independently', () => {
    const limiter = new FixedWindowRateLimiter(1, MINUTE);
    expect(limiter.consume('a', T0).allowed).toBe(true);
    expect(limiter.consume('a', T0).allowed).toBe(false);
    expect(limiter.consume('b', T0).allowed).toBe(true);
    expect(limiter.consume('b', T0).allowed).toBe(false);
  });

  it('gives each key its own window start', () => {
    const limiter = new FixedWindowRateLimiter(1, MINUTE);
    limiter.consume('a', T0);
    limiter.consume('b', T0 + 30_000);
    expect(limiter.consume('a', T0 + MINUTE).allowed).toBe(true);
    expect(limiter.consume('b', T0 + MINUTE).allowed).toBe(false);
  });

  it('keeps counting a still-open window when other ended windows are swept', () => {
    const limiter = new FixedWindowRateLimiter(2, MINUTE);
    limiter.consume('old', T0);
    limiter.consume('open', T0 + 50_000);
    limiter.consume('open', T0 + 50_000);
    // A request more than windowMs after the last sweep triggers one; 'old' has ended.
    const decision = limiter.consume('other', T0 + MINUTE + 1);
    expect(decision.allowed).toBe(true);
    expect(limiter.consume('open', T0 + MINUTE + 2).allowed).toBe(false);
    expect(limiter.consume('old', T0 + MINUTE + 3)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('is enabled when the limit is positive', () => {
    expect(new FixedWindowRateLimiter(1, MINUTE).enabled).toBe(true);
  });

  it('is disabled when the limit is 0', () => {
    expect(new FixedWindowRateLimiter(0, MINUTE).enabled).toBe(false);
  });

  it('uses the current time when now is not given', () => {
    const limiter = new FixedWindowRateLimiter(1, MINUTE);
    expect(limiter.consume('key')).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.consume('key').allowed).toBe(false);
  });

  it('peeks without counting, and refuses once consumed requests used the window', () => {
    const limiter = new FixedWindowRateLimiter(2, MINUTE);
    expect(limiter.peek('address', T0).allowed).toBe(true);
    expect(limiter.peek('address', T0).allowed).toBe(true);
    limiter.consume('address', T0);
    expect(limiter.peek('address', T0 + 1).allowed).toBe(true);
    limiter.consume('address', T0 + 1);
    const refused = limiter.peek('address', T0 + 2);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 60 });
    expect(limiter.peek('address', T0 + MINUTE).allowed).toBe(true);
  });
});
