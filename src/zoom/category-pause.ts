import type { Endpoint } from './endpoints.js';
import { ZoomError } from './errors.js';
import type { Clock } from '../util/clock.js';
import type { LogOnce } from '../util/log-once.js';
import { CATEGORIES, categoryNamed, type Category } from './limits.js';
import { Paused, type WindowLimiter } from './window-limiter.js';

/**
 * Longest a call waits, in all, on its category's pause after Zoom's 429s: Retry-After of a
 * second or a few is waited out within the call; a longer pause refuses the call, unsent, and
 * the poll cycle defers what needs that category (docs/zoom-client.md).
 */
export const MAX_RATE_LIMIT_WAIT_MS = 30_000;

/** A call's retries so far, and the latest time it waits to for a 429's pause (set at its first). */
export interface Tries {
  failures: number;
  rateLimited: number;
  reauthorized: boolean;
  waitEnd?: number;
}

/**
 * A permit of the endpoint's category, waiting for a pause (a 429's) only while it
 * ends by `latest`: a longer one refuses the call at once, unsent, and the caller goes on with
 * other work (a cycle held up to 30 minutes by one endpoint's 429s stopped discovery with it).
 */
export async function permitWithin(
  limiter: WindowLimiter,
  ep: Endpoint,
  latest: number,
  signal?: AbortSignal,
): Promise<(sent?: boolean) => void> {
  try {
    return await limiter.acquire(signal, latest);
  } catch (err) {
    if (err instanceof Paused) throw pausedError(ep, err);
    throw err;
  }
}

/**
 * A call not sent (or not sent again) while its category is paused past what it waits: the
 * endpoint's, or the one its 429 named (`category`).
 */
export function pausedError(
  ep: Endpoint,
  { until, origin }: { until: number; origin: string },
  details: ZoomError['details'] = {},
  category: Category = ep.category,
): ZoomError {
  return new ZoomError(
    'ZOOM_RATE_LIMITED',
    `${ep.name}: Zoom's ${category} rate limit pauses these calls until ${new Date(until).toISOString()} (${origin}); not sent, asked again then`,
    { ...details, endpoint: ep.name, retryable: true, resetAt: until },
  );
}

/** A 429's pause: when it ends, where its wait came from, and the category Zoom named. */
export interface CategoryPause {
  until: number;
  origin: string;
  category: Category;
}

/**
 * Pauses that hold a category's calls under another category: a Heavy QoS call whose 429 named
 * Resource-intensive counts there, so later QoS calls wait for that pause too. Their own
 * category's limiter does not know it: before, each later QoS call cost one more 429 and waited
 * the pause out inside the call.
 */
export class PausedElsewhere {
  private readonly held = new Map<Category, CategoryPause>();

  constructor(private readonly clock: Clock) {}

  /** Calls of `own` wait for `pause` (a 429 of theirs named `pause.category`). */
  note(own: Category, pause: CategoryPause): void {
    const was = this.held.get(own);
    if (!was || pause.until > was.until) this.held.set(own, pause);
  }

  /** The later of `ownPause` and the pause holding calls of `own` under another category now. */
  over(own: Category, ownPause?: CategoryPause): CategoryPause | undefined {
    const p = this.held.get(own);
    const elsewhere = p && p.until > this.clock.now() ? p : undefined;
    return elsewhere && (!ownPause || elsewhere.until > ownPause.until) ? elsewhere : ownPause;
  }

  /**
   * Waits out, before the call is sent, the pause of another category that holds the endpoint's
   * (its own category's permit does not wait for it); one ending past `latest` refuses the call
   * unsent.
   */
  async waitOut(ep: Endpoint, latest: number, signal?: AbortSignal): Promise<void> {
    const pause = this.over(ep.category);
    if (pause === undefined) return;
    if (pause.until > latest) throw pausedError(ep, pause, {}, pause.category);
    await this.clock.sleep(pause.until - this.clock.now(), signal);
  }
}

/**
 * The rate-limit category an answer counts in: the one its `X-RateLimit-Category` names, else
 * the endpoint's (the header absent, or naming none qoswatch knows: logged once an hour). A
 * Heavy call whose 429 named Resource-intensive paused the Heavy calls, and left the live lists
 * to run into the same limit.
 */
export function categoryOf(
  ep: Endpoint,
  headers: { get(name: string): string | null },
  once: LogOnce,
): Category {
  const named = headers.get('x-ratelimit-category');
  if (named === null || named.trim() === '') return ep.category;
  const known = categoryNamed(named);
  if (!known) {
    const shown = JSON.stringify(named.slice(0, 64));
    once.warn(
      'ratelimit-category',
      { endpoint: ep.name, rateLimitCategory: named.slice(0, 64) },
      `Zoom's X-RateLimit-Category ${shown} is none qoswatch knows (${CATEGORIES.join(', ')}): taken as the endpoint's, ${ep.category}`,
    );
  }
  return known ?? ep.category;
}
