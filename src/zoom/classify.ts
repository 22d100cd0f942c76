import type { CallOutcome } from './call-stats.js';
import { ZoomError } from './errors.js';
import { hideTokens } from './hide-tokens.js';
import { isJsonObject } from '../util/json-object.js';
import { jsonPast, SHARED_STRING, type JsonBounds, type JsonPast } from '../util/json-count.js';
import { AnswerPastCap, answerText, bytesInWords, unreadAnswer } from './capped-body.js';
import { proxyHint } from './proxy.js';
import type { AnswerDate } from './zoom-clock.js';
import { plural } from '../util/words.js';
import {
  capRetryAt,
  dailyResetAt,
  MAX_RATE_RETRY_AFTER_MS,
  type CappedRetryAfter,
  MAX_UNSAID_RETRY_AFTER_MS,
  parseRetryAfter,
  pauseOrigin,
} from './retry-after.js';

type Json = Record<string, unknown>;

/**
 * What came back from one request: an HTTP answer and its body's bytes (made text only to be
 * parsed, and then dropped: parseAnswer; one refused is never made text), or none (network
 * error, timeout).
 */
export type Answer =
  | { status: number; headers: { get(name: string): string | null }; bytes: Uint8Array }
  | { error: unknown; timedOut: boolean };

/** The request the answer is to, and how many retries it has had. */
export interface AnswerContext {
  endpoint: string;
  /** The instance id in the path, for messages. */
  instanceId?: string;
  /** Whether the request carried a next_page_token (a 400 then may mean it expired). */
  pageToken: boolean;
  now: number;
  /** The answer's `Date`, as ZoomClock read it (a Retry-After date is measured from it). */
  sent?: AnswerDate;
  /** The rate-limit window of the answer's category (client categoryOf): how long a 429 without Retry-After waits. */
  windowMs: number;
  timeoutMs: number;
  /** Retries after failures so far, and waits after 429s so far (for messages: the request answered is the one after them). */
  failures: number;
  rateLimited: number;
  /**
   * Access tokens the request carried (and the one before): hidden wherever Zoom's text is put
   * into an error, since Zoom or a proxy may echo the Authorization header back.
   */
  tokens?: readonly string[];
  /** What the answer's JSON may hold (answerBounds of the endpoint): past them it is not parsed. */
  bounds?: JsonBounds;
}

export type { CappedRetryAfter } from './retry-after.js';

/**
 * What to do with an answer. `error` is what to throw when the action cannot be taken (no
 * retries left, already re-authorized) or, for `fail`, at once.
 */
export type Verdict =
  | { action: 'ok'; outcome: 'ok'; body: Json }
  /** Back off and try again. */
  | { action: 'retry'; outcome: CallOutcome; error: ZoomError }
  /** Get a new token and try again, once. */
  | { action: 'reauthorize'; outcome: 'unauthorized'; error: ZoomError }
  /** Pause the category until `until`, then try again; `origin` says where the wait came from (pauseOrigin). */
  | {
      action: 'wait';
      outcome: 'rate_limited';
      until: number;
      origin: string;
      capped?: CappedRetryAfter;
      error: ZoomError;
    }
  /** Give up; `blockUntil` stops every call until Zoom's daily limit resets (`origin`: where that time came from). */
  | {
      action: 'fail';
      outcome: CallOutcome;
      error: ZoomError;
      blockUntil?: number;
      origin?: string;
      capped?: CappedRetryAfter;
    };

/**
 * Classifies one answer from Zoom, after the facts sheet (shared/zoom-api/README.md): 401
 * (code 124, an expired token) re-authorizes once; 404 with code 3001 is an instance that
 * ended; 429 waits as Retry-After says (capped), or stops until the reset when it is the
 * daily limit; 5xx, network errors, timeouts and unreadable bodies are retried with backoff;
 * any other answer fails. A 2xx past the endpoint's bounds is refused unparsed (beyondBounds);
 * an error past them is judged by its status alone, its body unread. It keeps no state (the
 * caller keeps the counts, the limiters and the budget), but reads the answer's bytes once:
 * they are let go (`answer.bytes` emptied) as the body is parsed, so call it once per answer.
 */
export function classifyAnswer(answer: Answer, ctx: AnswerContext): Verdict {
  if ('error' in answer) return noAnswer(answer, ctx);
  const ep = ctx.endpoint;
  const past = ctx.bounds && jsonPast(answer.bytes, ctx.bounds);
  if (past && ok(answer.status)) return beyondBounds(answer.status, past, ctx);
  // An error past the bounds is read by its status, its body as if empty (unparsed): a 429 of
  // `[[[...]]]` 40 deep was `bad_response`, not asked for again, its Retry-After never waited.
  if (past) return refusal(answer, undefined, ctx);
  let body: unknown;
  try {
    body = parseAnswer(answer);
  } catch (err) {
    body = undefined;
    if (ok(answer.status)) {
      const error = new ZoomError(
        'ZOOM_BAD_RESPONSE',
        `${ep}: Zoom's answer is not valid JSON`,
        { endpoint: ep, status: answer.status, retryable: true },
        { cause: err },
      );
      return { action: 'retry', outcome: 'bad_response', error };
    }
  }
  if (ok(answer.status)) {
    // An array is not an object here: `[]` read as one was a QoS page without participants.
    if (isJsonObject(body)) return { action: 'ok', outcome: 'ok', body };
    const error = new ZoomError('ZOOM_BAD_RESPONSE', `${ep}: Zoom's answer is not a JSON object`, {
      endpoint: ep,
      status: answer.status,
    });
    return { action: 'fail', outcome: 'bad_response', error };
  }
  return refusal(answer, body as Json | undefined, ctx);
}

const ok = (status: number): boolean => status >= 200 && status < 300;

/** Bytes a JSON text may start with, after white space: `{ [ " - 0-9 t f n`. */
const JSON_START = new Set(Buffer.from('{["-0123456789tfn'));
const JSON_SPACE = new Set(Buffer.from(' \t\r\n'));
const NO_BYTES = new Uint8Array(0);

/**
 * An answer's JSON, parsed ({} when it is empty, a byte order mark aside). Its bytes are made
 * text and dropped (`answer.bytes` emptied) before JSON.parse, so that a large page's bytes are
 * not held while its values are made. Bytes that cannot start JSON (an HTML page, a proxy's
 * text) are refused as JSON.parse would refuse them, without being made text (an answer is
 * as large again as text, twice that beyond Latin-1).
 */
export function parseAnswer(answer: { bytes: Uint8Array }): unknown {
  const text = takeText(answer);
  return text === '' ? {} : JSON.parse(text);
}

function takeText(answer: { bytes: Uint8Array }): string {
  const { bytes } = answer;
  answer.bytes = NO_BYTES;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (bytes.length === bom) return '';
  let i = bom;
  while (i < bytes.length && JSON_SPACE.has(bytes[i]!)) i++;
  if (!JSON_START.has(bytes[i]!)) throw new SyntaxError('not JSON: it does not start as JSON text does');
  return answerText(bytes);
}

/** What an answer past a bound holds, in words: `nests deeper than 32 levels`. */
export const pastInWords = (past: JsonPast): string => PAST_WORDS[past.bound](past.limit);

const PAST_WORDS: Record<JsonPast['bound'], (n: number) => string> = {
  depth: (n) => `nests deeper than ${n} levels`,
  values: (n) => `holds more than ${n.toLocaleString('en-US')} keys and values`,
  containers: (n) => `holds more than ${n.toLocaleString('en-US')} arrays and objects`,
  elements: (n) => `holds an array of more than ${n.toLocaleString('en-US')} elements`,
  members: (n) => `holds an object of more than ${n} keys`,
  names: (n) => `holds more than ${n} different key names`,
  nameLength: (n) => `holds a key longer than ${n} characters`,
  stringBytes: (n) =>
    `holds more than ${n.toLocaleString('en-US')} bytes of string values longer than ${SHARED_STRING} characters`,
};

/**
 * A 2xx past what the endpoint's answers can hold (answer-bounds.ts), found before JSON.parse,
 * whose cost is per value (4 MB of nested arrays took 745 MB): not parsed, counted as
 * `bad_response`, not asked for again (the same answer would cost the same).
 */
function beyondBounds(status: number, past: JsonPast, ctx: AnswerContext): Verdict {
  const ep = ctx.endpoint;
  const error = new ZoomError(
    'ZOOM_BAD_RESPONSE',
    `${ep}: Zoom's answer (HTTP ${status}) ${pastInWords(past)}, more than a page of ${ep} can: not read, not asked for again`,
    { endpoint: ep, status },
  );
  return { action: 'fail', outcome: 'bad_response', error };
}

function noAnswer(answer: { error: unknown; timedOut: boolean }, ctx: AnswerContext): Verdict {
  const { timedOut } = answer;
  // Past its cap (by its content-length, on the wire or once decoded) or not decoded: not retried.
  const unread = unreadAnswer(answer.error);
  if (unread) {
    const what =
      unread instanceof AnswerPastCap
        ? `is larger than ${bytesInWords(unread.limit)}, the most qoswatch reads of a ${ctx.endpoint} answer`
        : unread.why;
    const error = new ZoomError(
      'ZOOM_BAD_RESPONSE',
      `${ctx.endpoint}: Zoom's answer ${what}: not read, not asked for again`,
      { endpoint: ctx.endpoint },
      { cause: answer.error },
    );
    return { action: 'fail', outcome: 'bad_response', error };
  }
  const error = new ZoomError(
    timedOut ? 'ZOOM_TIMEOUT' : 'ZOOM_NETWORK_ERROR',
    `${ctx.endpoint}: ${timedOut ? `no answer within ${ctx.timeoutMs} ms` : `network error (${causeCode(answer.error)}${proxyHint(answer.error)})`} after ${ctx.failures + 1} attempts`,
    { endpoint: ctx.endpoint, retryable: true },
    { cause: answer.error },
  );
  return { action: 'retry', outcome: timedOut ? 'timeout' : 'network_error', error };
}

/** An HTTP answer that is not a success. */
function refusal(
  answer: { status: number; headers: { get(name: string): string | null } },
  body: Json | undefined,
  ctx: AnswerContext,
): Verdict {
  const { status } = answer;
  const ep = ctx.endpoint;
  const zoomCode = typeof body?.code === 'number' ? body.code : undefined;
  const zoomMessage = typeof body?.message === 'string' ? hideTokens(body.message, ctx.tokens ?? []) : '';
  const details = { endpoint: ep, status, ...(zoomCode !== undefined ? { zoomCode } : {}) };
  if (status === 401) {
    const error = new ZoomError(
      'ZOOM_AUTH_FAILED',
      `${ep}: Zoom refused a fresh access token (HTTP 401${zoomCode ? `, code ${zoomCode}` : ''})`,
      details,
    );
    return { action: 'reauthorize', outcome: 'unauthorized', error };
  }
  if (status === 404 && zoomCode === 3001) {
    const error = new ZoomError(
      'ZOOM_INSTANCE_ENDED',
      `${ep}: not found or no longer live (${ctx.instanceId ?? ''})`,
      details,
    );
    return { action: 'fail', outcome: 'ended', error };
  }
  if (status === 429) return rateLimited(answer.headers, zoomMessage, details, ctx);
  if (status >= 500) {
    const error = new ZoomError(
      'ZOOM_HTTP_ERROR',
      `${ep}: Zoom answered HTTP ${status} after ${ctx.failures + 1} attempts`,
      { ...details, retryable: true },
    );
    return { action: 'retry', outcome: 'server_error', error };
  }
  if (status === 400 && ctx.pageToken && (zoomCode === 300 || /page.?token/i.test(zoomMessage))) {
    const error = new ZoomError('ZOOM_PAGE_TOKEN_EXPIRED', `${ep}: next_page_token expired`, details);
    return { action: 'fail', outcome: 'client_error', error };
  }
  const error = new ZoomError(
    'ZOOM_HTTP_ERROR',
    `${ep}: Zoom answered HTTP ${status}${zoomCode ? ` code ${zoomCode}` : ''}: ${zoomMessage || 'no message'}`,
    details,
  );
  return { action: 'fail', outcome: 'client_error', error };
}

/**
 * A 429: the daily limit (X-RateLimit-Type says so, or the message, or a Retry-After further
 * than a per-second wait would be) stops calls until the reset; a per-second or per-minute
 * limit waits as Retry-After says, or one window. Retry-After is capped either way: at the
 * daily pool's reset (the next 00:00 UTC, dailyResetAt) when the answer says it is the daily
 * limit, 15 minutes when only its Retry-After does, 5 minutes for a per-second or per-minute
 * limit.
 */
function rateLimited(
  headers: { get(name: string): string | null },
  zoomMessage: string,
  details: { endpoint: string; status: number; zoomCode?: number },
  ctx: AnswerContext,
): Verdict {
  const { now, endpoint: ep } = ctx;
  const header = headers.get('retry-after');
  const asked = parseRetryAfter(header, now, ctx.sent);
  const type = headers.get('x-ratelimit-type');
  const saysDaily = type ? /daily/i.test(type) : /daily/i.test(zoomMessage);
  const daily = saysDaily || (!type && asked !== undefined && asked - now > MAX_RATE_RETRY_AFTER_MS);
  const reset = dailyResetAt(now, ctx.sent);
  const maxMs = saysDaily ? reset - now : daily ? MAX_UNSAID_RETRY_AFTER_MS : MAX_RATE_RETRY_AFTER_MS;
  const cut = asked === undefined ? undefined : capRetryAt(asked, now, maxMs);
  const toReset = saysDaily && cut?.capped ? { toReset: true as const } : {};
  const capped = cut?.capped ? { capped: { askedMs: asked! - now, daily, maxMs, ...toReset } } : {};
  if (daily) {
    const resetAt = cut?.at ?? reset;
    const error = new ZoomError(
      'ZOOM_DAILY_LIMIT',
      `${ep}: ${saysDaily ? "Zoom's daily limit is reached" : "Zoom's 429 names no rate limit and asks for a wait over 5 minutes, taken as its daily limit"}; calls resume at ${new Date(resetAt).toISOString()}`,
      { ...details, retryable: true, resetAt },
    );
    const origin =
      asked === undefined || cut?.capped
        ? saysDaily
          ? `the next 00:00 UTC, when Zoom resets its daily pool; ${asked === undefined ? 'the 429 gave no usable Retry-After' : `its Retry-After (${header!.trim().slice(0, 40)}) is past that`}`
          : pauseOrigin(header, asked, maxMs)
        : pauseOrigin(header, asked);
    return { action: 'fail', outcome: 'daily_limited', error, blockUntil: resetAt, origin, ...capped };
  }
  const error = new ZoomError(
    'ZOOM_RATE_LIMITED',
    `${ep}: still rate limited after ${plural(ctx.rateLimited, 'wait')} (${plural(ctx.rateLimited + 1, 'request')})`,
    { ...details, retryable: true },
  );
  return {
    action: 'wait',
    outcome: 'rate_limited',
    until: cut?.at ?? now + ctx.windowMs,
    origin: pauseOrigin(header, asked, cut?.capped ? maxMs : undefined),
    error,
    ...capped,
  };
}

/** The system error code of a network failure (ECONNREFUSED...), or the error's name. */
export function causeCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? (err as Error).name;
}

/** Connection errors that mean the request never reached Zoom. */
const NEVER_LEFT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Whether a failed request never reached Zoom (its call and permit are given back). */
export const neverLeft = (err: unknown): boolean => NEVER_LEFT.has(causeCode(err));
