/** Zoom's per-account limits by plan (facts sheet, "Rate limits"). */
export type Plan = 'pro' | 'business';
export type Category = 'Heavy' | 'Resource-intensive';
/** Every rate-limit category, in the order qoswatch reports them. */
export const CATEGORIES: readonly Category[] = ['Heavy', 'Resource-intensive'];

/** The category an `X-RateLimit-Category` header names (case and spaces aside), or undefined. */
export const categoryNamed = (value: string): Category | undefined =>
  CATEGORIES.find((c) => c.toLowerCase() === value.trim().toLowerCase());

export interface RateLimits {
  heavyPerSecond: number;
  resourcePerMinute: number;
  /** The account's daily pool, shared by Heavy and Resource-intensive calls (and by other apps). */
  dailyPool: number;
  /**
   * Share of the Heavy per-second limit left unused, against clock skew between our windows and
   * Zoom's (a one-second window is where a few milliseconds of skew put one call too many in);
   * DEFAULT_HEAVY_SAFETY_MARGIN when absent.
   */
  heavySafetyMargin?: number;
}

/** The bound on one call to Zoom (and one token request) unless `zoom.timeout` says otherwise. */
export const DEFAULT_ZOOM_TIMEOUT = '30s';

export const DEFAULT_HEAVY_SAFETY_MARGIN = 0.1;

/** A limit less its safety margin, at least 1 (Business's 40 a second: 36; Pro's 10: 9). */
export const withMargin = (limit: number, margin: number): number =>
  Math.max(1, Math.floor(limit * (1 - margin) + 1e-9));

export const PLAN_DEFAULTS: Record<Plan, RateLimits> = {
  pro: { heavyPerSecond: 10, resourcePerMinute: 10, dailyPool: 30_000 },
  business: { heavyPerSecond: 40, resourcePerMinute: 20, dailyPool: 60_000 },
};

/** The window a category's calls are limited in, and how many qoswatch sends in it (Heavy: less the margin). */
export function windowOf(category: Category, limits: RateLimits): { limit: number; windowMs: number } {
  return category === 'Heavy'
    ? {
        limit: withMargin(limits.heavyPerSecond, limits.heavySafetyMargin ?? DEFAULT_HEAVY_SAFETY_MARGIN),
        windowMs: 1000,
      }
    : { limit: limits.resourcePerMinute, windowMs: 60_000 };
}
