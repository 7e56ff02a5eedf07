export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
}

/**
 * Fixed-window request counting per key (an API key's id, or a client address), in this
 * process's memory: each instance of the API enforces the limit on the requests it receives.
 */
export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Counts one request against `key`'s window. */
  consume(key: string, now: number = Date.now()): RateLimitDecision {
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return this.decision(window, window.count <= this.limit, now);
  }

  /** Whether `key` may make one more request, without counting it. */
  peek(key: string, now: number = Date.now()): RateLimitDecision {
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      return { allowed: true, limit: this.limit, remaining: this.limit, resetSeconds: 0 };
    }
    return this.decision(window, window.count < this.limit, now);
  }

  private decision(
    window: { start: number; count: number },
    allowed: boolean,
    now: number,
  ): RateLimitDecision {
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)),
    };
  }

  /** Forgets ended windows so memory stays proportional to recently active keys. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(key);
    }
  }
}
