import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyAnswer, type AnswerContext, type Verdict } from '../../src/zoom/classify.js';
import { nextUtcMidnight } from '../../src/zoom/budget-record.js';

/**
 * Zoom's documented answers (shared/zoom-api/README.md and the Meeting API spec beside it),
 * each classified: ok, retry, re-authorize, wait, or fail.
 */
const NOW = Date.parse('2026-11-20T10:00:00Z');
const ctx: AnswerContext = {
  endpoint: 'meeting_qos',
  instanceId: 'abc==',
  pageToken: false,
  now: NOW,
  windowMs: 1000,
  timeoutMs: 30_000,
  failures: 0,
  rateLimited: 0,
};
const http = (status: number, body: unknown, headers: Record<string, string> = {}, c = ctx): Verdict =>
  classifyAnswer(
    {
      status,
      headers: new Headers({ 'content-type': 'application/json', ...headers }),
      bytes: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    },
    c,
  );
const errorOf = (v: Verdict) => (v.action === 'ok' ? undefined : v.error);

describe('classifyAnswer', () => {
  it('200 with a JSON object is ok, with its body', () => {
    const v = http(200, { participants: [], next_page_token: '' });
    expect(v).toEqual({ action: 'ok', outcome: 'ok', body: { participants: [], next_page_token: '' } });
    expect(http(200, '')).toMatchObject({ action: 'ok', body: {} });
  });

  it('200 whose body is not JSON is retried; JSON that is not an object fails at once', () => {
    expect(http(200, '<html>gateway</html>')).toMatchObject({ action: 'retry', outcome: 'bad_response' });
    expect(errorOf(http(200, '<html>gateway</html>'))).toMatchObject({
      code: 'ZOOM_BAD_RESPONSE',
      retryable: true,
    });
    expect(http(200, '"queued"')).toMatchObject({ action: 'fail', outcome: 'bad_response' });
    expect(http(200, '42')).toMatchObject({ action: 'fail', outcome: 'bad_response' });
    expect(errorOf(http(200, 'null'))).toMatchObject({ code: 'ZOOM_BAD_RESPONSE', retryable: false });
  });

  it('401 code 124 (token expired) re-authorizes, and fails as ZOOM_AUTH_FAILED when that was done', () => {
    const v = http(401, { code: 124, message: 'Invalid access token.' });
    expect(v).toMatchObject({ action: 'reauthorize', outcome: 'unauthorized' });
    expect(errorOf(v)).toMatchObject({ code: 'ZOOM_AUTH_FAILED', status: 401, zoomCode: 124 });
    expect(errorOf(v)!.message).toBe('meeting_qos: Zoom refused a fresh access token (HTTP 401, code 124)');
    // Some sources say 201; any 401 re-authorizes, with or without a body.
    expect(http(401, { code: 201, message: 'x' })).toMatchObject({ action: 'reauthorize' });
    expect(http(401, '')).toMatchObject({ action: 'reauthorize' });
  });

  it('404 code 3001 is an instance that ended; another 404 is a client error', () => {
    const ended = http(404, {
      code: 3001,
      message:
        "This meeting's detail info is not available. The meeting ID is not valid or the meeting has not ended yet.",
    });
    expect(ended).toMatchObject({ action: 'fail', outcome: 'ended' });
    expect(errorOf(ended)).toMatchObject({ code: 'ZOOM_INSTANCE_ENDED', zoomCode: 3001, retryable: false });
    expect(errorOf(ended)!.message).toContain('abc==');
    const other = http(404, { code: 1001, message: 'User does not exist' });
    expect(other).toMatchObject({ action: 'fail', outcome: 'client_error' });
    expect(errorOf(other)).toMatchObject({ code: 'ZOOM_HTTP_ERROR', zoomCode: 1001 });
  });

  it('429 per second with Retry-After in seconds waits that long, and says how many waits when given up', () => {
    const v = http(
      429,
      { code: 429, message: 'Too many requests' },
      { 'retry-after': '5', 'x-ratelimit-type': 'QPS' },
    );
    expect(v).toMatchObject({ action: 'wait', outcome: 'rate_limited', until: NOW + 5000 });
    expect(v).not.toHaveProperty('capped');
    const later = http(429, {}, { 'retry-after': '5' }, { ...ctx, rateLimited: 6 });
    expect(errorOf(later)).toMatchObject({ code: 'ZOOM_RATE_LIMITED', retryable: true });
    expect(errorOf(later)!.message).toBe('meeting_qos: still rate limited after 6 waits (7 requests)');
  });

  it('429 without any header waits one window of the category', () => {
    expect(http(429, { code: 429, message: 'Too many requests' })).toMatchObject({
      action: 'wait',
      until: NOW + ctx.windowMs,
    });
  });

  it('429 with a Retry-After asking no wait (0, negative, a fraction, a past date) waits one window, as one unreadable does', () => {
    for (const ra of [
      // Not whole seconds (HTTP's delay-seconds): old code waited 1 ms and 400 ms.
      '0.001',
      '0.4',
      '2.5',
      '+3',
      '0',
      '-1',
      '-0.5',
      '0.0',
      'Tue, 20 Nov 2026 09:59:59 GMT',
      '2001-01-01T00:00:00Z',
      'soon',
    ]) {
      expect(http(429, {}, { 'retry-after': ra, 'x-ratelimit-type': 'QPS' }), ra).toMatchObject({
        action: 'wait',
        until: NOW + ctx.windowMs,
      });
      expect(http(429, {}, { 'retry-after': ra }), ra).toMatchObject({
        action: 'wait',
        until: NOW + ctx.windowMs,
      });
    }
    // A past date on a daily limit: calls stop until the next reset, not zero time.
    const daily = http(429, {}, { 'retry-after': '-1', 'x-ratelimit-type': 'Daily-limit' });
    expect(daily).toMatchObject({ action: 'fail', blockUntil: nextUtcMidnight(NOW) });
  });

  it('429 with a Retry-After longer than 5 minutes (not daily) waits 5 minutes and says it was capped', () => {
    const v = http(429, {}, { 'retry-after': '99999999999', 'x-ratelimit-type': 'QPS' });
    expect(v).toMatchObject({
      action: 'wait',
      until: NOW + 5 * 60_000,
      capped: { askedMs: 99999999999_000, daily: false },
    });
  });

  it('429 Daily-limit with an ISO Retry-After stops every call until then', () => {
    const reset = '2026-11-21T00:00:00Z';
    const v = http(
      429,
      {
        code: 429,
        message:
          'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.',
      },
      { 'retry-after': reset, 'x-ratelimit-type': 'Daily-limit', 'x-ratelimit-remaining': '0' },
    );
    expect(v).toMatchObject({ action: 'fail', outcome: 'daily_limited', blockUntil: Date.parse(reset) });
    expect(errorOf(v)).toMatchObject({ code: 'ZOOM_DAILY_LIMIT', retryable: true });
    expect(errorOf(v)!.details.resetAt).toBe(Date.parse(reset));
  });

  it('429 is the daily limit by its message, or by a Retry-After too far for a per-second limit', () => {
    const byMessage = http(429, {
      code: 429,
      message: 'You have reached the maximum daily rate limit for this API.',
    });
    expect(byMessage).toMatchObject({ action: 'fail', blockUntil: nextUtcMidnight(NOW) });
    const byDate = http(429, {}, { 'retry-after': '2026-11-20T10:12:00Z' });
    expect(byDate).toMatchObject({
      action: 'fail',
      outcome: 'daily_limited',
      blockUntil: Date.parse('2026-11-20T10:12:00Z'),
    });
    // Said by nothing but its Retry-After: every call stops, for 15 minutes at most (it stopped
    // them 8 hours here, and 24 hours for Retry-After: 99999999).
    const long = http(429, {}, { 'retry-after': '2026-11-20T18:00:00Z' });
    expect(long).toMatchObject({
      action: 'fail',
      outcome: 'daily_limited',
      blockUntil: NOW + 15 * 60_000,
      capped: { daily: true, maxMs: 15 * 60_000 },
    });
    expect(errorOf(long)!.message).toContain('names no rate limit');
    // A daily Retry-After past the pool's reset is cut to the reset, the next 00:00 UTC.
    const far = http(429, {}, { 'retry-after': '2027-01-01T00:00:00Z', 'x-ratelimit-type': 'Daily-limit' });
    expect(far).toMatchObject({
      action: 'fail',
      blockUntil: Date.parse('2026-11-21T00:00:00Z'),
      capped: { daily: true, toReset: true },
    });
  });

  it("a Daily-limit 429 with a far Retry-After stops calls until the pool's reset at 00:00 UTC, as docs/zoom-client.md says", () => {
    // It stopped them 24 hours (stop 39 to 42: Zoom's facts sheet gives no reset hour); Zoom's
    // rate-limits page shows a Daily-limit 429 with Retry-After at 00:00 UTC, and its staff say so.
    const doc = readFileSync(new URL('../../docs/zoom-client.md', import.meta.url), 'utf8').replace(
      /\s+/g,
      ' ',
    );
    expect(doc).toContain(
      'a `X-RateLimit-Type: Daily-limit` 429 with `Retry-After: 99999999` answered at 05:52 UTC stops calls until 00:00 UTC, 18 hours later',
    );
    const now = Date.parse('2026-11-20T05:52:00Z');
    const headers = { 'retry-after': '99999999', 'x-ratelimit-type': 'Daily-limit' };
    const v = http(429, {}, headers, { ...ctx, now });
    expect(v).toMatchObject({
      action: 'fail',
      outcome: 'daily_limited',
      blockUntil: Date.parse('2026-11-21T00:00:00Z'),
      origin: 'the next 00:00 UTC, when Zoom resets its daily pool; its Retry-After (99999999) is past that',
    });
    expect(errorOf(v)!.details.resetAt).toBe(Date.parse('2026-11-21T00:00:00Z'));
    // On Zoom's clock when its Date is taken: Zoom 2 minutes ahead resets 2 minutes earlier on ours.
    const ahead = http(429, {}, headers, { ...ctx, now, sent: { at: now + 120_000, taken: true } });
    expect(ahead).toMatchObject({ blockUntil: Date.parse('2026-11-20T23:58:00Z') });
    // A Date not taken (over 5 minutes off) is not Zoom's clock: this machine's midnight.
    const off = http(429, {}, headers, { ...ctx, now, sent: { at: now + 3_600_000, taken: false } });
    expect(off).toMatchObject({ blockUntil: Date.parse('2026-11-21T00:00:00Z') });
    // A Retry-After before the reset is Zoom's own: obeyed.
    const early = http(429, {}, { ...headers, 'retry-after': '2026-11-20T09:00:00Z' }, { ...ctx, now });
    expect(early).toMatchObject({
      blockUntil: Date.parse('2026-11-20T09:00:00Z'),
      origin: "the 429's Retry-After date",
    });
    expect(early).not.toHaveProperty('capped');
  });

  it('5xx is retried, and names the attempts when given up', () => {
    for (const status of [500, 502, 503, 504]) {
      const v = http(status, status === 502 ? '<html>Bad Gateway</html>' : { code: 500, message: 'x' });
      expect(v, String(status)).toMatchObject({ action: 'retry', outcome: 'server_error' });
      expect(errorOf(v)).toMatchObject({ code: 'ZOOM_HTTP_ERROR', retryable: true, status });
    }
    expect(errorOf(http(503, {}, {}, { ...ctx, failures: 4 }))!.message).toBe(
      'meeting_qos: Zoom answered HTTP 503 after 5 attempts',
    );
  });

  it('network errors and timeouts are retried, and say their cause', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    const v = classifyAnswer({ error: refused, timedOut: false }, ctx);
    expect(v).toMatchObject({ action: 'retry', outcome: 'network_error' });
    expect(errorOf(v)).toMatchObject({ code: 'ZOOM_NETWORK_ERROR', retryable: true });
    expect(errorOf(v)!.message).toBe('meeting_qos: network error (ECONNREFUSED) after 1 attempts');
    expect(errorOf(v)!.cause).toBe(refused);
    const timeout = Object.assign(new Error('Request timed out'), { name: 'TimeoutError' });
    const t = classifyAnswer({ error: timeout, timedOut: true }, ctx);
    expect(t).toMatchObject({ action: 'retry', outcome: 'timeout' });
    expect(errorOf(t)!.message).toBe('meeting_qos: no answer within 30000 ms after 1 attempts');
  });

  it('400 on a paged request with code 300 is an expired next_page_token; other 400s fail', () => {
    const expired = http(
      400,
      { code: 300, message: 'The next page token is invalid or expired.' },
      {},
      {
        ...ctx,
        pageToken: true,
      },
    );
    expect(errorOf(expired)).toMatchObject({ code: 'ZOOM_PAGE_TOKEN_EXPIRED' });
    expect(expired).toMatchObject({ action: 'fail', outcome: 'client_error' });
    const year = http(400, { code: 12702, message: 'Can not access a meeting a year ago.' });
    expect(year).toMatchObject({ action: 'fail', outcome: 'client_error' });
    expect(errorOf(year)!.message).toBe(
      'meeting_qos: Zoom answered HTTP 400 code 12702: Can not access a meeting a year ago.',
    );
    expect(errorOf(http(400, { code: 300, message: 'x' }))).toMatchObject({ code: 'ZOOM_HTTP_ERROR' });
  });
});
