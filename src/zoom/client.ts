import ky from 'ky';
import type { Logger } from 'pino';
import type { Clock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import type { AuthProvider } from './auth.js';
import { CallStats, type CallOutcome } from './call-stats.js';
import { DailyBudget, nextUtcMidnight, type BudgetStore } from './daily-budget.js';
import { expandPath, type Endpoint } from './endpoints.js';
import { ZoomError, isZoomError } from './errors.js';
import { windowOf, type Category, type RateLimits } from './limits.js';
import { LogOnce } from '../util/log-once.js';
import {
  capRetryAt,
  MAX_DAILY_RETRY_AFTER_MS,
  MAX_RATE_RETRY_AFTER_MS,
  parseRetryAfter,
} from './retry-after.js';
import { WindowLimiter } from './window-limiter.js';

export interface ZoomClientOptions {
  /** API host, e.g. https://api.zoom.us; `/v2` is appended. A token's `api_url` overrides it. */
  apiUrl: string;
  auth: AuthProvider;
  limits: RateLimits;
  /** Share (0 to 1] of the account's daily pool qoswatch may use. */
  dailyShare: number;
  clock: Clock;
  budgetStore?: BudgetStore;
  stats?: CallStats;
  logger?: Logger;
  /** Real-time bound on one request. */
  timeoutMs?: number;
  /** Retries of 5xx answers, resets, timeouts and unreadable bodies. */
  maxRetries?: number;
  /** Retries after a per-second/per-minute 429. */
  maxRateLimitRetries?: number;
  backoff?: { baseMs: number; capMs: number };
  random?: () => number;
}

type Query = Record<string, string | number | undefined>;
type Json = Record<string, unknown>;

/**
 * The one way qoswatch talks to Zoom. It never sends a call that would break a rate limit
 * or the daily budget; it retries what is worth retrying, refreshes a refused token once,
 * tells an ended meeting (404/3001) from a failure, and counts every call.
 */
export class ZoomClient {
  readonly limiters: Record<Category, WindowLimiter>;
  readonly budget: DailyBudget;
  readonly stats: CallStats;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRateLimitRetries: number;
  private readonly backoff: { baseMs: number; capMs: number };
  private readonly random: () => number;
  private readonly once: LogOnce;

  constructor(private readonly opts: ZoomClientOptions) {
    const heavy = windowOf('Heavy', opts.limits);
    const ri = windowOf('Resource-intensive', opts.limits);
    this.limiters = {
      Heavy: new WindowLimiter(heavy.limit, heavy.windowMs, opts.clock),
      'Resource-intensive': new WindowLimiter(ri.limit, ri.windowMs, opts.clock),
    };
    this.budget = new DailyBudget(opts.limits.dailyPool, opts.dailyShare, opts.clock, opts.budgetStore);
    this.stats = opts.stats ?? new CallStats();
    this.log = opts.logger ?? silentLogger();
    this.once = new LogOnce(this.log, () => opts.clock.now());
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxRetries = opts.maxRetries ?? 4;
    this.maxRateLimitRetries = opts.maxRateLimitRetries ?? 6;
    this.backoff = opts.backoff ?? { baseMs: 500, capMs: 30_000 };
    this.random = opts.random ?? Math.random;
  }

  /** Exponential backoff with full jitter. */
  private delay(attempt: number): number {
    return Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** attempt) * (0.5 + this.random() / 2);
  }

  private url(base: string, ep: Endpoint, params: Record<string, string>, query: Query): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
    const q = qs.toString();
    return `${base.replace(/\/+$/, '')}/v2${expandPath(ep.template, params)}${q ? `?${q}` : ''}`;
  }

  /** One GET, with everything the rules of the road ask for. */
  async get<T = Json>(
    ep: Endpoint,
    params: Record<string, string> = {},
    query: Query = {},
    signal?: AbortSignal,
  ): Promise<T> {
    let failures = 0;
    let rateLimited = 0;
    let reauthorized = false;
    const clock = this.opts.clock;
    for (;;) {
      signal?.throwIfAborted();
      // Budget and permit are taken only once a request can leave: a token endpoint that fails
      // costs neither (it once charged 21 calls with 0 sent and held the permits for a window).
      this.budget.check(ep.name);
      const auth = await this.opts.auth.authorize(signal);
      const permit = await this.limiters[ep.category].acquire(signal);
      try {
        this.budget.take(ep.name);
      } catch (err) {
        permit(false);
        throw err;
      }
      let sent = true;
      const release = (): void => permit(sent);
      /** A retryable failure: free the permit, wait the backoff, and say whether to try again. */
      const backOff = async (): Promise<boolean> => {
        if (failures >= this.maxRetries) return false;
        release();
        await clock.sleep(this.delay(failures++), signal);
        return true;
      };
      let outcome: CallOutcome = 'ok';
      try {
        const url = this.url(auth.apiBase ?? this.opts.apiUrl, ep, params, query);
        let res: Response;
        try {
          res = await ky.get(url, {
            headers: { authorization: auth.header, accept: 'application/json' },
            timeout: this.timeoutMs,
            retry: 0,
            throwHttpErrors: false,
            ...(signal ? { signal } : {}),
          });
        } catch (err) {
          if (neverLeft(err)) {
            // Nothing reached Zoom: give back the call and the permit.
            sent = false;
            this.budget.giveBack();
          }
          if (signal?.aborted) throw err;
          const timeout = (err as Error).name === 'TimeoutError';
          outcome = timeout ? 'timeout' : 'network_error';
          if (await backOff()) continue;
          throw new ZoomError(
            timeout ? 'ZOOM_TIMEOUT' : 'ZOOM_NETWORK_ERROR',
            `${ep.name}: ${timeout ? `no answer within ${this.timeoutMs} ms` : `network error (${causeCode(err)})`} after ${failures + 1} attempts`,
            { endpoint: ep.name, retryable: true },
            { cause: err },
          );
        }
        this.observeHeaders(ep.category, res.headers);
        const text = await res.text().catch(() => '');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : {};
        } catch (err) {
          body = undefined;
          if (res.ok) {
            outcome = 'bad_response';
            if (await backOff()) continue;
            throw new ZoomError(
              'ZOOM_BAD_RESPONSE',
              `${ep.name}: Zoom's answer is not valid JSON`,
              { endpoint: ep.name, status: res.status, retryable: true },
              { cause: err },
            );
          }
        }
        if (res.ok) {
          if (typeof body !== 'object' || body === null) {
            outcome = 'bad_response';
            throw new ZoomError('ZOOM_BAD_RESPONSE', `${ep.name}: Zoom's answer is not a JSON object`, {
              endpoint: ep.name,
              status: res.status,
            });
          }
          this.stats.lastSuccessAt = clock.now();
          return body as T;
        }
        const zoomCode =
          typeof (body as Json | undefined)?.code === 'number' ? ((body as Json).code as number) : undefined;
        const zoomMessage =
          typeof (body as Json | undefined)?.message === 'string' ? ((body as Json).message as string) : '';
        const details = {
          endpoint: ep.name,
          status: res.status,
          ...(zoomCode !== undefined ? { zoomCode } : {}),
        };
        if (res.status === 401) {
          outcome = 'unauthorized';
          if (!reauthorized) {
            reauthorized = true;
            this.opts.auth.invalidate(auth.header);
            release();
            continue;
          }
          throw new ZoomError(
            'ZOOM_AUTH_FAILED',
            `${ep.name}: Zoom refused a fresh access token (HTTP 401${zoomCode ? `, code ${zoomCode}` : ''})`,
            details,
          );
        }
        if (res.status === 404 && zoomCode === 3001) {
          outcome = 'ended';
          throw new ZoomError(
            'ZOOM_INSTANCE_ENDED',
            `${ep.name}: not found or no longer live (${params.id ?? ''})`,
            details,
          );
        }
        if (res.status === 429) {
          const now = clock.now();
          const asked = parseRetryAfter(res.headers.get('retry-after'), now);
          const type = res.headers.get('x-ratelimit-type');
          const daily = type
            ? /daily/i.test(type)
            : /daily/i.test(zoomMessage) || (asked !== undefined && asked - now > MAX_RATE_RETRY_AFTER_MS);
          const retryAt = asked === undefined ? undefined : this.capRetryAfter(ep.name, asked, now, daily);
          if (daily) {
            outcome = 'daily_limited';
            const resetAt = retryAt ?? nextUtcMidnight(now);
            this.budget.blockUntil(resetAt);
            this.log.warn(
              { endpoint: ep.name, resetAt: new Date(resetAt).toISOString() },
              "Zoom's daily API limit reached; calls stop until the reset",
            );
            throw new ZoomError(
              'ZOOM_DAILY_LIMIT',
              `${ep.name}: Zoom's daily limit is reached; calls resume at ${new Date(resetAt).toISOString()}`,
              {
                ...details,
                retryable: true,
                resetAt,
              },
            );
          }
          outcome = 'rate_limited';
          const wait = retryAt ?? now + this.limiters[ep.category].windowMs;
          this.limiters[ep.category].pauseUntil(wait);
          if (rateLimited++ < this.maxRateLimitRetries) {
            this.log.debug(
              { endpoint: ep.name, waitMs: wait - now },
              'rate limited by Zoom; waiting as Retry-After says',
            );
            release();
            continue;
          }
          throw new ZoomError(
            'ZOOM_RATE_LIMITED',
            `${ep.name}: still rate limited after ${rateLimited} waits`,
            { ...details, retryable: true },
          );
        }
        if (res.status >= 500) {
          outcome = 'server_error';
          if (await backOff()) continue;
          throw new ZoomError(
            'ZOOM_HTTP_ERROR',
            `${ep.name}: Zoom answered HTTP ${res.status} after ${failures + 1} attempts`,
            { ...details, retryable: true },
          );
        }
        outcome = 'client_error';
        if (
          res.status === 400 &&
          query.next_page_token &&
          (zoomCode === 300 || /page.?token/i.test(zoomMessage))
        ) {
          throw new ZoomError('ZOOM_PAGE_TOKEN_EXPIRED', `${ep.name}: next_page_token expired`, details);
        }
        throw new ZoomError(
          'ZOOM_HTTP_ERROR',
          `${ep.name}: Zoom answered HTTP ${res.status}${zoomCode ? ` code ${zoomCode}` : ''}: ${zoomMessage || 'no message'}`,
          details,
        );
      } finally {
        release();
        if (!signal?.aborted) this.stats.record(ep.name, ep.category, outcome);
      }
    }
  }

  /** Retry-After no longer than a day (daily limit) or 5 minutes (per second/minute); logged when cut. */
  private capRetryAfter(endpoint: string, asked: number, now: number, daily: boolean): number {
    const maxMs = daily ? MAX_DAILY_RETRY_AFTER_MS : MAX_RATE_RETRY_AFTER_MS;
    const { at, capped } = capRetryAt(asked, now, maxMs);
    if (capped) {
      this.stats.retryAfterCapped++;
      this.once.warn(
        `retry-after:${endpoint}`,
        { endpoint, askedMs: asked - now, waitMs: maxMs },
        `Zoom's Retry-After is longer than ${daily ? '24 hours' : '5 minutes'}; waiting that long instead`,
      );
    }
    return at;
  }

  /** A listing that would not end: stop it, count it, and say so once. */
  private pageLoop(ep: Endpoint, params: Record<string, string>, why: string): void {
    this.stats.pageLoop(ep.name);
    this.once.warn(
      `page-loop:${ep.name}`,
      { endpoint: ep.name, ...params },
      `Zoom's pagination does not end (${why}); the listing stops here`,
    );
  }

  private observeHeaders(category: Category, headers: Headers): void {
    const type = headers.get('x-ratelimit-type');
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    if (!type || headers.get('x-ratelimit-remaining') === null || !Number.isFinite(remaining)) return;
    this.stats.observeRemaining(category, type, remaining);
    if (/daily/i.test(type)) this.budget.observeRemaining(remaining);
  }

  /**
   * The pages of a list endpoint at its largest page size. An expired `next_page_token`
   * restarts the listing from the start; `keyOf` then keeps items already yielded from
   * coming out twice.
   */
  async *pages<T = Json>(
    ep: Endpoint,
    params: Record<string, string> = {},
    query: Query = {},
    options: { signal?: AbortSignal; keyOf?: (item: T) => string; expectedItems?: number } = {},
  ): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    const tokens = new Set<string>();
    let token = '';
    let restarts = 0;
    const maxPages = pageBound(ep, options.expectedItems);
    let fetched = 0;
    for (;;) {
      if (fetched >= maxPages) {
        this.pageLoop(ep, params, `more than ${maxPages} pages`);
        return;
      }
      fetched++;
      let body: Json;
      try {
        body = await this.get(
          ep,
          params,
          { ...query, page_size: ep.pageSize, next_page_token: token || undefined },
          options.signal,
        );
      } catch (err) {
        if (isZoomError(err, 'ZOOM_PAGE_TOKEN_EXPIRED') && restarts < 2) {
          restarts++;
          this.log.info({ endpoint: ep.name }, 'next_page_token expired; restarting the listing');
          token = '';
          tokens.clear();
          continue;
        }
        throw err;
      }
      const raw = body[ep.itemsKey ?? 'items'];
      const items = (Array.isArray(raw) ? raw : []) as T[];
      const { keyOf } = options;
      yield keyOf
        ? items.filter((i) => {
            const k = keyOf(i);
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          })
        : items;
      token = typeof body.next_page_token === 'string' ? body.next_page_token : '';
      if (!token) return;
      if (tokens.has(token)) {
        // A token seen before would page in a circle (mocks such as Prism repeat their example).
        this.pageLoop(ep, params, 'a next_page_token came back again');
        return;
      }
      tokens.add(token);
    }
  }
}

/**
 * Most pages a listing may take: twice what `expectedItems` fill, and 10 more (an instance
 * grows between two polls); 100 pages when nothing says how many to expect. A
 * next_page_token that changes on every page but never ends once cost 740 calls in one cycle.
 */
export function pageBound(ep: Endpoint, expectedItems?: number): number {
  if (expectedItems === undefined) return 100;
  return 2 * Math.ceil(Math.max(1, expectedItems) / Math.max(1, ep.pageSize ?? 30)) + 10;
}

/** Connection errors that mean the request never reached Zoom. */
const NEVER_LEFT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const neverLeft = (err: unknown): boolean => NEVER_LEFT.has(causeCode(err));

function causeCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? (err as Error).name;
}
