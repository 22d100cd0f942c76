import type { Logger } from 'pino';
import { backoffDelay, type Backoff } from '../util/backoff.js';
import type { Clock } from '../util/clock.js';
import { durationMs } from '../util/duration.js';
import { isJsonObject } from '../util/json-object.js';
import { LogOnce } from '../util/log-once.js';
import { silentLogger } from '../util/logger.js';
import type { AuthProvider } from './auth.js';
import { answerBounds, answerBytes, OVERFULL } from './answer-bounds.js';
import { CallStats, type CallOutcome } from './call-stats.js';
import { classifyAnswer, neverLeft, type Answer, type CappedRetryAfter, type Verdict } from './classify.js';
import type { BudgetStore } from './budget-record.js';
import { DailyBudget } from './daily-budget.js';
import { Deadline, type Timers } from '../util/deadline.js';
import { callUrl, expandPath, type Endpoint } from './endpoints.js';
import { isZoomError, ZoomError } from './errors.js';
import { http, type ZoomOptions } from './http.js';
import { SentTokens } from './hide-tokens.js';
import { DEFAULT_ZOOM_TIMEOUT, windowOf, type Category, type RateLimits } from './limits.js';
import { cappedText } from './retry-after.js';
import { WindowLimiter } from './window-limiter.js';
import {
  categoryOf,
  MAX_RATE_LIMIT_WAIT_MS,
  pausedError,
  PausedElsewhere,
  permitWithin,
  type CategoryPause,
  type Tries,
} from './category-pause.js';
import { ZoomClock, type AnswerDate, type AnswerHeaders, type DateClockMode } from './zoom-clock.js';
import {
  firstOfKey,
  meaningless,
  notItems,
  pageLimit,
  Progress,
  totalRecordsOf,
  unusableEntries,
} from './page-read.js';
import type { Page, PageOptions, Read } from './page-read.js';

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
  /** Real-time bound on one request, from sending it to the end of its body (zoom.timeout). */
  timeoutMs?: number;
  /** Whether an answer's `Date` is bounded by this machine's clock (zoom.date_clock; default local). */
  dateClock?: DateClockMode;
  /** That bound's timer (tests fire it by hand); setTimeout otherwise. */
  timers?: Timers;
  /** Retries of 5xx answers, resets, timeouts and unreadable bodies. */
  maxRetries?: number;
  /** Retries after a per-second/per-minute 429. */
  maxRateLimitRetries?: number;
  /**
   * Longest a call waits, in all, on its category's pause (a 429's) before it is
   * refused (`ZOOM_RATE_LIMITED`, not sent) instead: MAX_RATE_LIMIT_WAIT_MS (30 s) when absent.
   */
  maxRateLimitWaitMs?: number;
  backoff?: Backoff;
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
  private readonly maxRateLimitWaitMs: number;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private readonly once: LogOnce;
  /** Zoom's clock, from the `Date` of its answers, bounded by ours. */
  private readonly zoomClock: ZoomClock;
  /** The token's `api_url` last seen, and whether it is used: a new one is judged (and logged) once. */
  private tokenApiBase: { url: string; used: boolean } | undefined;
  /** The access tokens last sent, hidden in every error made of Zoom's answers. */
  private readonly sentTokens = new SentTokens();
  /** Categories whose calls a 429 counted in another one, paused with it. */
  private readonly pausedElsewhere: PausedElsewhere;

  constructor(private readonly opts: ZoomClientOptions) {
    const heavy = windowOf('Heavy', opts.limits);
    const ri = windowOf('Resource-intensive', opts.limits);
    this.limiters = {
      Heavy: new WindowLimiter(heavy.limit, heavy.windowMs, opts.clock),
      'Resource-intensive': new WindowLimiter(ri.limit, ri.windowMs, opts.clock),
    };
    this.pausedElsewhere = new PausedElsewhere(opts.clock);
    this.budget = new DailyBudget(opts.limits.dailyPool, opts.dailyShare, opts.clock, opts.budgetStore);
    this.stats = opts.stats ?? new CallStats();
    this.log = opts.logger ?? silentLogger();
    this.once = new LogOnce(this.log, () => opts.clock.now());
    this.zoomClock = new ZoomClock(opts.clock, this.once, () => this.stats.dateSkewed++, opts.dateClock);
    this.timeoutMs = opts.timeoutMs ?? durationMs(DEFAULT_ZOOM_TIMEOUT);
    this.maxRetries = opts.maxRetries ?? 4;
    this.maxRateLimitRetries = opts.maxRateLimitRetries ?? 6;
    this.maxRateLimitWaitMs = opts.maxRateLimitWaitMs ?? MAX_RATE_LIMIT_WAIT_MS;
    this.backoff = opts.backoff ?? { baseMs: 500, capMs: 30_000 };
    this.random = opts.random ?? Math.random;
  }

  /**
   * The token's `api_url` when calls may take it over zoom.api_url, judged once per new value.
   * Not when zoom.api_url is https and it is plain http: the Bearer token would go in clear (it
   * was taken with an info line); one warning says so and calls go to zoom.api_url. Otherwise
   * one info line when it sends calls to another host than zoom.api_url (a regional host, or
   * zoom.api_url naming a proxy that is then not used), so the calls' real target is not a
   * surprise found in a network trace. Origins only: a URL's path stays out.
   */
  private apiBaseOf(apiBase: string | undefined): string | undefined {
    if (apiBase === undefined) return undefined;
    if (apiBase !== this.tokenApiBase?.url) this.tokenApiBase = { url: apiBase, used: this.judge(apiBase) };
    return this.tokenApiBase.used ? apiBase : undefined;
  }

  private judge(apiBase: string): boolean {
    // Both parse: zoom.api_url is checked by the config schema, a token's by S2SOAuth.
    const to = new URL(apiBase);
    const configured = new URL(this.opts.apiUrl);
    if (configured.protocol === 'https:' && to.protocol === 'http:') {
      this.log.warn(
        { tokenApiUrl: to.origin, zoomApiUrl: configured.origin },
        `Zoom's token answer names api_url ${to.origin}, plain http while zoom.api_url ${configured.origin} is https (not used: API calls go to zoom.api_url as configured)`,
      );
      return false;
    }
    if (to.origin !== configured.origin)
      this.log.info(
        { tokenApiUrl: to.origin, zoomApiUrl: configured.origin },
        `Zoom's token names api_url ${to.origin}: API calls go there, not to zoom.api_url ${configured.origin} (Zoom's regional host wins; a proxy for Zoom's API is set with HTTPS_PROXY, not zoom.api_url)`,
      );
    return true;
  }

  /**
   * One GET, with everything the rules of the road ask for: budget and permit are taken only
   * once a request can leave, each answer is classified (classifyAnswer) and acted on here.
   */
  async get<T = Json>(
    ep: Endpoint,
    params: Record<string, string> = {},
    query: Query = {},
    signal?: AbortSignal,
  ): Promise<T> {
    return this.fetch(ep, params, query, signal, (body) => ({ outcome: 'ok', value: body as T }));
  }

  /**
   * get(), with a 200's JSON object judged by `read` before the call is counted: a page that is
   * not the listing asked for is counted once, as `bad_response` (it was counted `ok`, then moved:
   * the `ok` counter went down when the call's signal had aborted in between).
   */
  private async fetch<R>(
    ep: Endpoint,
    params: Record<string, string>,
    query: Query,
    signal: AbortSignal | undefined,
    read: (body: Json) => { outcome: CallOutcome; value: R },
  ): Promise<R> {
    const tries: Tries = { failures: 0, rateLimited: 0, reauthorized: false };
    const clock = this.opts.clock;
    // An id that cannot be a path segment is refused before any token, budget or permit.
    const path = expandPath(ep.template, params);
    for (;;) {
      signal?.throwIfAborted();
      await this.pausedElsewhere.waitOut(ep, this.waitEnd(tries), signal);
      // A token endpoint that fails costs neither budget nor permit (it once charged 21 calls
      // with 0 sent and held the permits for a window).
      this.budget.check(ep.name);
      const auth = await this.opts.auth.authorize(signal);
      const url = callUrl(this.apiBaseOf(auth.apiBase) ?? this.opts.apiUrl, path, query);
      const permit = await permitWithin(this.limiters[ep.category], ep, this.waitEnd(tries), signal);
      // Another call's 429 may have paused this one's calls under another category while it
      // waited for its permit: give the permit back, unsent, and wait for that pause (or be
      // refused) at the top. A queued QoS call was sent into the pause Resource-intensive named.
      if (this.pausedElsewhere.over(ep.category)) {
        permit(false);
        continue;
      }
      try {
        this.budget.take(ep.name);
      } catch (err) {
        permit(false);
        throw err;
      }
      const tokens = this.sentTokens.note(auth.header);
      const { answer, sent } = await this.send(url, auth.header, answerBytes(ep), signal);
      permit(sent);
      if ('error' in answer && signal?.aborted) throw answer.error;
      const category = 'headers' in answer ? categoryOf(ep, answer.headers, this.once) : ep.category;
      const sentAt = 'headers' in answer ? this.zoomClock.observe(answer.headers) : undefined;
      if ('headers' in answer) this.observeHeaders(category, answer.headers, sentAt);
      const v = classifyAnswer(answer, {
        endpoint: ep.name,
        ...(sentAt ? { sent: sentAt } : {}),
        ...(params.id !== undefined ? { instanceId: params.id } : {}),
        pageToken: Boolean(query.next_page_token),
        now: clock.now(),
        windowMs: this.limiters[category].windowMs,
        timeoutMs: this.timeoutMs,
        failures: tries.failures,
        rateLimited: tries.rateLimited,
        tokens,
        bounds: answerBounds(ep),
      });
      if (v.action === 'ok') {
        const judged = read(v.body);
        if (!signal?.aborted) this.stats.record(ep.name, ep.category, judged.outcome);
        this.stats.lastSuccessAt = clock.now();
        return judged.value;
      }
      if (!signal?.aborted) this.stats.record(ep.name, ep.category, v.outcome);
      if (await this.tryAgain(v, tries, ep, category, auth.header, signal)) continue;
      throw v.error;
    }
  }

  /**
   * Acts on a verdict other than ok: true when the call is to be tried again. A 429 pauses
   * `category`, the one the answer names (categoryOf).
   */
  private async tryAgain(
    v: Exclude<Verdict, { action: 'ok' }>,
    tries: Tries,
    ep: Endpoint,
    category: Category,
    authHeader: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const clock = this.opts.clock;
    if ('capped' in v && v.capped) this.retryAfterCapped(ep.name, v.capped);
    if (v.action === 'retry' && tries.failures < this.maxRetries) {
      await clock.sleep(backoffDelay(tries.failures++, this.backoff, this.random), signal);
      return true;
    }
    if (v.action === 'reauthorize' && !tries.reauthorized) {
      tries.reauthorized = true;
      this.opts.auth.invalidate(authHeader);
      return true;
    }
    if (v.action === 'wait') {
      this.limiters[category].pauseUntil(v.until, v.origin);
      if (category !== ep.category)
        this.pausedElsewhere.note(ep.category, { until: v.until, origin: v.origin, category });
      tries.waitEnd = this.waitEnd(tries);
      if (v.until > tries.waitEnd) throw pausedError(ep, v, v.error.details, category);
      if (tries.rateLimited++ < this.maxRateLimitRetries) {
        this.log.debug(
          { endpoint: ep.name, category, waitMs: v.until - clock.now() },
          `rate limited by Zoom; waiting (${v.origin})`,
        );
        return true;
      }
    }
    if (v.action === 'fail' && v.blockUntil !== undefined) {
      this.budget.blockUntil(v.blockUntil);
      this.log.warn(
        { endpoint: ep.name, resetAt: new Date(v.blockUntil).toISOString() },
        `Zoom's daily API limit reached; every call stops until ${new Date(v.blockUntil).toISOString()} (${v.origin ?? 'its reset'})`,
      );
    }
    return false;
  }

  /**
   * The latest a call waits to for its category's pause: fixed at its first 429 (maxRateLimitWaitMs
   * after it); until then maxRateLimitWaitMs from now.
   */
  private waitEnd(tries: Tries): number {
    return tries.waitEnd ?? this.opts.clock.now() + this.maxRateLimitWaitMs;
  }

  /**
   * The pause that holds calls of `category` now, the latest of its own (Zoom's 429) and one a 429
   * of its calls named in another category: when it ends, where its wait came from (pauseOrigin)
   * and the category paused.
   */
  pause(category: Category): CategoryPause | undefined {
    const own = this.limiters[category].pauseAt(this.opts.clock.now());
    return this.pausedElsewhere.over(category, own && { ...own, category });
  }

  /**
   * One request on the wire, its answer read to `maxBytes` at most (transport.ts): Zoom's answer,
   * or the error when none came; `sent` is false when it never left.
   */
  private async send(
    url: string,
    authorization: string,
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<{ answer: Answer; sent: boolean }> {
    // zoom.timeout bounds the whole exchange, the body included (Deadline); ky's own timeout,
    // which ends at the headers, is off.
    const ky = await http();
    const deadline = new Deadline(this.timeoutMs, signal, this.opts.timers);
    try {
      const options: ZoomOptions = {
        headers: { authorization, accept: 'application/json' },
        timeout: false,
        retry: 0,
        throwHttpErrors: false,
        signal: deadline.signal,
        maxBytes,
      };
      const res = await ky.get(url, options);
      // Read whole or not at all: a body cut short (the connection dropped after the headers)
      // rejects and is retried as a reset is. It once read as empty: a QoS page cut short passed
      // as `{}`, a page without participants.
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { answer: { status: res.status, headers: res.headers, bytes }, sent: true };
    } catch (error) {
      // Nothing reached Zoom: give back the call and the permit.
      const sent = !neverLeft(error);
      if (!sent) this.budget.giveBack();
      return { answer: { error, timedOut: deadline.timedOut }, sent };
    } finally {
      deadline.end();
    }
  }

  /** Retry-After longer than qoswatch waits (retry-after.ts): counted, logged once. */
  private retryAfterCapped(endpoint: string, c: CappedRetryAfter): void {
    this.stats.retryAfterCapped++;
    this.once.warn(
      `retry-after:${endpoint}`,
      { endpoint, askedMs: c.askedMs, waitMs: c.maxMs },
      cappedText(c),
    );
  }

  /**
   * A page's items. An entry that is not an object (null, a string, a number) is skipped and
   * counted: one bad entry must not cost the page's other entries (nor, by a throw, the whole
   * instance). So are the entries of a page past OVERFULL times the page_size asked for: Zoom's
   * pages never hold more than it, and one hostile answer must not make every later step pay for
   * thousands.
   */
  private pageItems<T>(ep: Endpoint, raw: unknown, options: PageOptions<T>): Page<T> {
    const all: unknown[] = Array.isArray(raw) ? raw : [];
    const bound = (ep.pageSize ?? all.length) * OVERFULL;
    const within = all.length > bound ? this.overfull(ep, all, bound) : all;
    const items = (within.every(isJsonObject) ? within : within.filter(isJsonObject)) as T[];
    const skipped = all.length - items.length;
    if (all.length > within.length) options.skipped?.(all.length - within.length, 'past_page_size');
    if (within.length > items.length) options.skipped?.(within.length - items.length, 'not_object');
    const unusable = options.unusable ? unusableEntries(ep, skipped, items, options.keyOf) : undefined;
    return unusable ? { items, unusable } : { items };
  }

  /**
   * A 200 page of a listing, judged before the call is counted: `bad_response` when it is not
   * the listing (`error`, thrown by pages()) or holds entries that cannot be used (`unusable`).
   */
  private readPage<T>(
    ep: Endpoint,
    body: Json,
    options: PageOptions<T>,
  ): { outcome: CallOutcome; value: Read<T> } {
    const raw = body[ep.itemsKey ?? 'items'];
    const error = options.strict
      ? this.notListing(ep, body, raw)
      : options.requireItems
        ? notItems(ep, body, raw)
        : undefined;
    if (error) return { outcome: 'bad_response', value: { body, items: [], error } };
    const page = this.pageItems<T>(ep, raw, options);
    return { outcome: page.unusable ? 'bad_response' : 'ok', value: { body, ...page } };
  }

  /** A page far larger than the page_size asked for: its first `bound` entries, and a warning once. */
  private overfull(ep: Endpoint, all: unknown[], bound: number): unknown[] {
    this.once.warn(
      `overfull:${ep.name}`,
      { endpoint: ep.name, entries: all.length, pageSize: ep.pageSize },
      `Zoom's ${ep.name} page had ${all.length} entries for a page_size of ${ep.pageSize}; entries past ${bound} are skipped and counted as invalid`,
    );
    return all.slice(0, bound);
  }

  /** A listing that would not end: stop it, count it, say so once, and tell the caller it was cut. */
  private pageLoop<T>(
    ep: Endpoint,
    params: Record<string, string>,
    why: string,
    options: PageOptions<T>,
  ): void {
    this.stats.pageLoop(ep.name);
    options.cut?.(why);
    this.once.warn(
      `page-loop:${ep.name}`,
      { endpoint: ep.name, ...params },
      `Zoom's pagination does not end (${why}); the listing stops here`,
    );
  }

  /**
   * Zoom's clock now, as the `Date` header of its last answer set it (to the second; bounded by
   * ours: zoom-clock.ts), or undefined when no answer had one. Samples dated ahead of it are
   * refused (poll/future.ts): Zoom's clock, not ours, since the two may differ by seconds.
   */
  zoomNow(): number | undefined {
    return this.zoomClock.now();
  }

  private observeHeaders(category: Category, headers: AnswerHeaders, sent?: AnswerDate): void {
    const type = headers.get('x-ratelimit-type');
    const raw = headers.get('x-ratelimit-remaining')?.trim() ?? ''; // digits only: Number('') is 0
    if (!type || !/^\d+$/.test(raw)) return;
    this.stats.observeRemaining(category, type, Number(raw));
    if (/daily/i.test(type)) this.budget.observeRemaining(Number(raw), sent);
  }

  /** A strict listing's page must hold its array of objects: else counted, logged and thrown. */
  private notListing(ep: Endpoint, body: Json, raw: unknown): ZoomError | undefined {
    if (Array.isArray(raw) && raw.every(isJsonObject)) return undefined;
    const err = meaningless(ep, body);
    this.log.warn({ endpoint: ep.name }, err.message);
    return err;
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
    options: PageOptions<T> = {},
  ): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    const idOf = options.keyOf ?? options.joinOf;
    let token = '';
    let restarts = 0;
    let maxPages = pageLimit(ep, options);
    let fetched = 0;
    // This pass's ids: a repeat within it is Zoom's, one of an earlier pass (a restart) expected.
    const progress = new Progress();
    while (fetched < maxPages) {
      fetched++;
      options.beforePage?.();
      let page: Read<T>;
      try {
        page = await this.fetch(
          ep,
          params,
          { ...query, page_size: ep.pageSize, next_page_token: token || undefined },
          options.signal,
          (b) => this.readPage<T>(ep, b, options),
        );
      } catch (err) {
        if (isZoomError(err, 'ZOOM_PAGE_TOKEN_EXPIRED') && restarts < 2) {
          restarts++;
          this.log.info({ endpoint: ep.name }, 'next_page_token expired; restarting the listing');
          token = '';
          progress.restart(); // its ids and tokens
          continue;
        }
        throw err;
      }
      const { body, items, error, unusable } = page;
      if (error) throw error;
      if (fetched === 1) {
        maxPages = pageLimit(ep, options, body);
        const total = options.totalRecords && totalRecordsOf(body);
        if (total !== undefined) options.totalRecords?.(total);
      }
      if (unusable) options.unusable?.(unusable);
      const ids = idOf ? items.map(idOf) : [];
      const before = progress.read(ids, body, options);
      if (options.keyOf) {
        const first = firstOfKey(items, ids, before, seen, options);
        options.keys?.(first.keys);
        yield first.items;
      } else yield items;
      token = typeof body.next_page_token === 'string' ? body.next_page_token : '';
      if (!token) return;
      const why = progress.endless(token);
      if (why) {
        this.pageLoop(ep, params, why, options);
        return;
      }
    }
    this.pageLoop(ep, params, `more than ${maxPages} pages`, options);
  }
}
