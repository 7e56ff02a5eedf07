/** What one attempt gave: a response, or the reason none came. */
export interface AttemptResult {
  status?: number;
  body?: string;
  latencyMs: number;
  error?: string;
}

export type AttemptOutcome =
  { kind: 'succeeded' } | { kind: 'retry'; delayMs: number } | { kind: 'failed'; disable?: 'gone' };

export interface RetryPolicy {
  maxAttempts: number;
  retryScheduleMs: number[];
}

/** Jitter spreads the retries of many deliveries that failed together: ±20 % of the wait. */
const JITTER = 0.2;

/**
 * The wait after the `attempt`-th failed attempt (1-based): the schedule's step, its last step
 * once past the end, scaled by a random factor in [1 − JITTER, 1 + JITTER).
 */
export function retryDelayMs(
  attempt: number,
  schedule: number[],
  random: () => number = Math.random,
): number {
  const base = schedule[Math.min(attempt, schedule.length) - 1] ?? 0;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * SPEC §6 "Deliveries": a 2xx is success; a 410 fails the delivery and disables the endpoint;
 * anything else is retried until the attempts run out.
 */
export function attemptOutcome(
  result: AttemptResult,
  attempt: number,
  policy: RetryPolicy,
  random?: () => number,
): AttemptOutcome {
  if (result.status !== undefined && result.status >= 200 && result.status < 300) {
    return { kind: 'succeeded' };
  }
  if (result.status === 410) return { kind: 'failed', disable: 'gone' };
  if (attempt >= policy.maxAttempts) return { kind: 'failed' };
  return { kind: 'retry', delayMs: retryDelayMs(attempt, policy.retryScheduleMs, random) };
}
