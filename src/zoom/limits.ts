/** Zoom's per-account limits by plan (facts sheet, "Rate limits"). */
export type Plan = 'pro' | 'business';
export type Category = 'Heavy' | 'Resource-intensive';

export interface RateLimits {
  heavyPerSecond: number;
  resourcePerMinute: number;
  /** The account's daily pool, shared by Heavy and Resource-intensive calls (and by other apps). */
  dailyPool: number;
}

export const PLAN_DEFAULTS: Record<Plan, RateLimits> = {
  pro: { heavyPerSecond: 10, resourcePerMinute: 10, dailyPool: 30_000 },
  business: { heavyPerSecond: 40, resourcePerMinute: 20, dailyPool: 60_000 },
};

export function windowOf(category: Category, limits: RateLimits): { limit: number; windowMs: number } {
  return category === 'Heavy'
    ? { limit: limits.heavyPerSecond, windowMs: 1000 }
    : { limit: limits.resourcePerMinute, windowMs: 60_000 };
}
