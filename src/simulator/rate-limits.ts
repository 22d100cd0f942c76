import type { SimLimits } from './scenario-types.js';

export type Category = 'Heavy' | 'Resource-intensive';

export interface LimitVerdict {
  ok: boolean;
  headers: Record<string, string>;
  /** For a refusal: the 429 body Zoom sends. */
  body?: { code: number; message: string };
}

const DAY = 86_400_000;

/**
 * Zoom's per-account limits as the simulator enforces them: a sliding one-second window for
 * Heavy calls, a sliding one-minute window for Resource-intensive ones, and a daily pool both
 * share that resets at 00:00 UTC. Counts what it refused, so tests can prove a client stayed inside.
 */
export class SimRateLimits {
  private readonly windows = new Map<string, number[]>();
  private readonly daily = new Map<string, { day: number; used: number }>();
  readonly refused = { qps: 0, daily: 0 };
  /** Most requests seen in any one window, per account and category. */
  readonly peak = new Map<string, number>();

  constructor(private readonly limits: SimLimits) {}

  private perWindow(category: Category): { limit: number; windowMs: number } {
    return category === 'Heavy'
      ? { limit: this.limits.heavyPerSecond, windowMs: 1000 }
      : { limit: this.limits.resourcePerMinute, windowMs: 60_000 };
  }

  dailyUsed(account: string, now: number): number {
    const d = this.daily.get(account);
    return d && d.day === Math.floor(now / DAY) ? d.used : 0;
  }

  /** Other apps on the same account draw `n` calls from its daily pool. */
  drawDaily(account: string, n: number, now: number): void {
    const day = Math.floor(now / DAY);
    this.daily.set(account, { day, used: this.dailyUsed(account, now) + n });
  }

  check(account: string, category: Category, now: number): LimitVerdict {
    const day = Math.floor(now / DAY);
    const d = this.daily.get(account);
    const used = d && d.day === day ? d.used : 0;
    if (used >= this.limits.daily) {
      this.refused.daily++;
      const reset = new Date((day + 1) * DAY).toISOString();
      return {
        ok: false,
        headers: {
          'X-RateLimit-Category': category,
          'X-RateLimit-Type': 'Daily-limit',
          'X-RateLimit-Limit': String(this.limits.daily),
          'X-RateLimit-Remaining': '0',
          'Retry-After': reset,
        },
        body: {
          code: 429,
          message: `You have reached the maximum daily rate limit for this API. Try again after ${reset}.`,
        },
      };
    }
    const { limit, windowMs } = this.perWindow(category);
    const key = `${account}\u0000${category}`;
    const list = (this.windows.get(key) ?? []).filter((t) => t > now - windowMs);
    if (list.length >= limit) {
      this.windows.set(key, list);
      this.refused.qps++;
      const retryAfter = Math.max(1, Math.ceil((list[0]! + windowMs - now) / 1000));
      return {
        ok: false,
        headers: {
          'X-RateLimit-Category': category,
          'X-RateLimit-Type': 'QPS',
          'X-RateLimit-Limit': String(limit),
          'X-RateLimit-Remaining': '0',
          'Retry-After': String(retryAfter),
        },
        body: {
          code: 429,
          message: `You have reached the maximum per-${category === 'Heavy' ? 'second' : 'minute'} rate limit for this API. Try again later.`,
        },
      };
    }
    list.push(now);
    this.windows.set(key, list);
    // Shown by /_sim/status as "account/category" (the window key holds a NUL between them).
    const shown = `${account}/${category}`;
    this.peak.set(shown, Math.max(this.peak.get(shown) ?? 0, list.length));
    this.daily.set(account, { day, used: used + 1 });
    return {
      ok: true,
      headers: {
        'X-RateLimit-Category': category,
        'X-RateLimit-Type': 'Daily-limit',
        'X-RateLimit-Limit': String(this.limits.daily),
        'X-RateLimit-Remaining': String(this.limits.daily - used - 1),
      },
    };
  }
}
