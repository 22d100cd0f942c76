import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENDPOINTS, liveRange } from '../../src/zoom/endpoints.js';
import { isEnded, isZoomError, ZoomError } from '../../src/zoom/errors.js';
import { S2SOAuth } from '../../src/zoom/auth.js';
import { PLAN_DEFAULTS, windowOf } from '../../src/zoom/limits.js';
import { json, TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { ManualTimers } from '../helpers/manual-timers.js';
import { simProxy } from '../helpers/proxy.js';
import {
  meetingWith,
  s2sClient,
  startSim,
  videoSdkClient,
  type SimHarness,
  meetingQos,
} from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => {
  await h.close();
});

async function collect<T>(gen: AsyncGenerator<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of gen) out.push(...page);
  return out;
}

describe('authentication', () => {
  it('fetches one token for many calls, shared by concurrent first callers', async () => {
    h = await startSim({ meetings: [meetingWith(3)] });
    const client = s2sClient(h);
    await Promise.all([meetingQos(client), meetingQos(client), meetingQos(client), meetingQos(client)]);
    await meetingQos(client);
    expect(h.sim.tokensIssued).toBe(1);
  });

  it('on a 401 gets a new token once and retries the call once', async () => {
    h = await startSim({ meetings: [meetingWith(3)] });
    const client = s2sClient(h);
    await meetingQos(client);
    h.sim.revokeTokens();
    const body = await meetingQos(client);
    expect(body.participants).toHaveLength(3);
    expect(h.sim.tokensIssued).toBe(2);
    expect(client.stats.total({ outcome: 'unauthorized' })).toBe(1);
  });

  it('renews the token before it expires, without a 401', async () => {
    h = await startSim({ meetings: [meetingWith(2)], token_ttl: '20m' });
    const client = s2sClient(h);
    await meetingQos(client);
    h.clock.advance(16 * 60_000);
    await meetingQos(client);
    expect(h.sim.tokensIssued).toBe(2);
    expect(client.stats.total({ outcome: 'unauthorized' })).toBe(0);
  });

  it("honours the token answer's api_url (regional hosts)", async () => {
    h = await startSim({ meetings: [meetingWith(2)] });
    // The configured API host is unreachable; the token's api_url points at the simulator.
    const client = s2sClient(h, { apiUrl: 'http://127.0.0.1:9', maxRetries: 0 });
    const body = await meetingQos(client);
    expect(body.participants).toHaveLength(2);
  });

  it("says once, at info, when the token's api_url takes calls off zoom.api_url's host (a proxy there is not used)", async () => {
    h = await startSim({ meetings: [meetingWith(2)] });
    const { log, lines } = captureLog();
    // zoom.api_url names a proxy; the token's api_url (the simulator) wins.
    const client = s2sClient(h, { apiUrl: 'http://127.0.0.1:9/zoom-proxy?x=1', maxRetries: 0, logger: log });
    await meetingQos(client);
    await meetingQos(client);
    h.sim.revokeTokens(); // a new token with the same api_url: not said again
    await meetingQos(client);
    const said = lines.filter((l) => l.msg.includes("Zoom's token names api_url"));
    expect(said).toHaveLength(1);
    expect(said[0]!.level).toBe(30);
    expect(said[0]!.msg).toContain(
      `${new URL(h.url).origin}: API calls go there, not to zoom.api_url http://127.0.0.1:9`,
    );
    expect(said[0]!.msg).not.toContain('zoom-proxy');
    // Same host as configured (the usual case): nothing said.
    const quiet = captureLog();
    await meetingQos(s2sClient(h, { logger: quiet.log }));
    expect(quiet.lines.filter((l) => l.msg.includes('api_url'))).toHaveLength(0);
  });

  it("keeps zoom.api_url, with one warning per fault, when the token's api_url is not an http(s) URL", async () => {
    h = await startSim({ meetings: [meetingWith(2)] });
    // A token endpoint on 127.0.0.1 that gets a real token from the simulator and puts `bad` in
    // its api_url (old code: 'base.replace is not a function', UND_ERR_INVALID_ARG on every call).
    let bad: unknown;
    const tokens = new TestServer((r, res) => {
      void fetch(`${h.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: r.headers.authorization ?? '',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: r.body,
      })
        .then((answer) => answer.json())
        .then((body) => json(res, 200, { ...(body as object), api_url: bad }));
    });
    const tokenUrl = await tokens.listen();
    try {
      const cases: [unknown, string][] = [
        [42, 'the number 42, not a URL string'],
        [null, 'null, not a URL string'],
        [{ host: 'x' }, 'an object, not a URL string'],
        ['localhost:19780', 'a URL of scheme localhost:, not http: or https:'],
        ['ftp://x', 'a URL of scheme ftp:, not http: or https:'],
        ['no url at all', 'a string that does not parse as a URL'],
        ['http://u:secret-pw@127.0.0.1:9', 'http://127.0.0.1:9 with a user:password (not shown)'],
        // Within the token answer's 64 KiB (token-answer-size.test.ts: past it, not read at all).
        [`https://a.example/${'a'.repeat(50_000)}`, 'a string of 50018 characters (at most 2048)'],
      ];
      for (const [value, what] of cases) {
        bad = value;
        const { log, lines } = captureLog();
        const auth = new S2SOAuth(
          {
            oauthUrl: `${tokenUrl}/oauth/token`,
            accountId: 'acct-1',
            clientId: 'client-1',
            clientSecret: 'test-secret',
          },
          h.clock,
          5000,
          log,
        );
        const client = s2sClient(h, { auth, maxRetries: 0, logger: log });
        expect((await meetingQos(client)).participants).toHaveLength(2);
        await meetingQos(client);
        h.sim.revokeTokens(); // a new token with the same api_url: not warned again
        expect((await meetingQos(client)).participants).toHaveLength(2);
        expect(auth.fetched).toBe(2);
        const warned = lines.filter((l) => l.msg.includes('api_url'));
        expect(warned.map((l) => [l.level, l.msg])).toEqual([
          [
            40,
            `Zoom's token answer names api_url ${what} (not used: API calls go to zoom.api_url as configured)`,
          ],
        ]);
        expect(JSON.stringify(lines)).not.toContain('secret-pw');
      }
    } finally {
      await tokens.close();
    }
  });

  it('reports refused credentials with a stable code and no secret in the error', async () => {
    h = await startSim({
      meetings: [meetingWith(2)],
      credentials: { account_id: 'acct-1', client_id: 'client-1', client_secret: 'right-secret' },
    });
    const secret = 'WRONG-s3cr3t-value';
    const client = s2sClient(h, {}, secret);
    const err = await meetingQos(client).catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_AUTH_FAILED')).toBe(true);
    const text = `${String(err)} ${(err as Error).stack} ${JSON.stringify(err)}`;
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(`client-1:${secret}`).toString('base64'));
  });

  it('signs Video SDK calls with an HS256 JWT of at most an hour, renewed before expiry', async () => {
    h = await startSim({
      videosdk: { api_key: 'sdk-key', api_secret: 'sdk-secret' },
      sessions: [{ id: 's1', uuid: 'sess/1==', crowd: { count: 4, muted_share: 0 } }],
    });
    const client = videoSdkClient(h);
    const day = new Date(h.clock.now()).toISOString().slice(0, 10);
    const sessions = await collect(
      client.pages(ENDPOINTS.sessions, {}, { type: 'live', from: day, to: day }),
    );
    expect(sessions).toHaveLength(1);
    h.clock.advance(59 * 60_000);
    const users = await client.get(ENDPOINTS.sessionQos, { id: 'sess/1==' }, { page_size: 10 });
    expect((users as { users: unknown[] }).users).toHaveLength(4);
    expect(client.stats.total({ outcome: 'unauthorized' })).toBe(0);

    const wrong = videoSdkClient(h, 'sdk-key', 'not-the-secret');
    const err = await wrong.get(ENDPOINTS.sessionQos, { id: 'sess/1==' }).catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_AUTH_FAILED')).toBe(true);
    expect((err as Error).message).not.toContain('not-the-secret');
  });
});

describe('pagination', () => {
  it('asks for the largest page the spec allows and reads every page', async () => {
    h = await startSim({ meetings: [meetingWith(25)] });
    const client = s2sClient(h);
    const items = await collect(client.pages(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { type: 'live' }));
    expect(items).toHaveLength(25);
    expect(h.sim.requests.get('qos 200')).toBe(3); // 10 + 10 + 5
  });

  it('lists 350 live meetings in two pages of 300', async () => {
    const meetings = Array.from({ length: 350 }, (_, i) => ({ id: 80000000000 + i, uuid: `m-${i}==` }));
    h = await startSim({ meetings });
    const client = s2sClient(h);
    const items = await collect(
      client.pages(ENDPOINTS.meetings, {}, { type: 'live', ...liveRange(h.clock.now()) }),
    );
    expect(items).toHaveLength(350);
    expect(h.sim.requests.get('list 200')).toBe(2);
  });

  it('restarts a listing cleanly when next_page_token has expired, yielding each item once', async () => {
    h = await startSim({ meetings: [meetingWith(25)], page_token_ttl: '15m' });
    const client = s2sClient(h);
    const seen: string[] = [];
    let pages = 0;
    let repeated = 0;
    for await (const page of client.pages<{ user_id: string }>(
      ENDPOINTS.meetingQos,
      { id: 'mtg-uuid-1==' },
      { type: 'live' },
      { keyOf: (p) => p.user_id, repeated: (n) => (repeated += n) },
    )) {
      seen.push(...page.map((p) => p.user_id));
      if (++pages === 1) h.clock.advance(16 * 60_000); // the token we hold dies
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    // The restarted pass gives the first page's entries again: expected, not Zoom's repeat.
    expect(repeated).toBe(0);
    expect(client.stats.total({ outcome: 'client_error' })).toBe(1);
  });
});

/**
 * A meeting of 70 whose QoS pages of 10 go through a proxy that rewrites the n-th page's entries
 * (`page(n, entries)`); the user_ids the client read, and whether it called the listing a loop.
 */
async function readRewritten(
  page: (n: number, entries: Record<string, unknown>[], first: Record<string, unknown>[]) => unknown[],
): Promise<{ read: string[]; loops: number; pages: number }> {
  h = await startSim({ meetings: [meetingWith(70)] });
  let n = 0;
  let first: Record<string, unknown>[] = [];
  const proxy = await simProxy(h.url, {
    rewrite: (text, r) => {
      if (!r.path.includes('/qos')) return text;
      const body = JSON.parse(text) as { participants: Record<string, unknown>[] };
      if (++n === 1) first = body.participants;
      return JSON.stringify({ ...body, participants: page(n, body.participants, first) });
    },
  });
  try {
    const client = s2sClient({ url: proxy.url, clock: h.clock });
    const read: string[] = [];
    for await (const items of client.pages<{ user_id?: string }>(
      ENDPOINTS.meetingQos,
      { id: 'mtg-uuid-1==' },
      { type: 'live' },
      { keyOf: (p) => p.user_id ?? '' },
    ))
      read.push(...items.flatMap((p) => (p.user_id ? [p.user_id] : [])));
    return { read, loops: client.stats.pageLoops.get('meeting_qos') ?? 0, pages: n };
  } finally {
    await proxy.close();
  }
}

describe('the stop on pages that add nothing (rB40)', () => {
  it('is not taken on pages of entries without a user_id: the good entries behind them are read', async () => {
    // 81bc1ef: three pages of id-less entries counted as "nothing new", and pages 5 to 7 went unread.
    const r = await readRewritten((n, entries) =>
      n >= 2 && n <= 4 ? entries.map((e) => ({ ...e, user_id: undefined })) : entries,
    );
    expect(r.pages).toBe(7);
    expect(r.read).toHaveLength(40);
    expect(r.loops).toBe(0);
  });

  it('counts pages in a row: two repeated pages, a new one, two repeated again is no loop', async () => {
    // A count that never went back to 0 on a page with something new stopped this at page 5.
    const r = await readRewritten((n, entries, first) => ([2, 3, 5, 6].includes(n) ? first : entries));
    expect(r.pages).toBe(7);
    expect(new Set(r.read).size).toBe(30);
    expect(r.loops).toBe(0);
  });
});

describe('rate limits and budget', () => {
  it('never exceeds the per-second limit in a burst of concurrent calls', async () => {
    h = await startSim({ meetings: [meetingWith(2)], limits: { heavy_per_second: 10 } });
    const client = s2sClient(h, { limits: { ...PLAN_DEFAULTS.business, heavyPerSecond: 10 } });
    const start = h.clock.now();
    await Promise.all(Array.from({ length: 120 }, () => meetingQos(client)));
    expect(h.sim.limits.refused.qps).toBe(0);
    expect(h.sim.requests.get('qos 200')).toBe(120);
    expect(Math.max(...h.sim.limits.peak.values())).toBeLessThanOrEqual(10);
    // 120 calls at 10 a second need at least 11 seconds of (virtual) time.
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(11_000);
  });

  it('leaves the Heavy safety margin unused: 36 calls a second of 40 by default, as configured otherwise', async () => {
    // Zoom's one-second windows are skewed against ours: sending a full 40 risks a 429.
    expect(windowOf('Heavy', PLAN_DEFAULTS.business)).toEqual({ limit: 36, windowMs: 1000 });
    expect(windowOf('Heavy', { ...PLAN_DEFAULTS.business, heavySafetyMargin: 0 }).limit).toBe(40);
    expect(windowOf('Heavy', { ...PLAN_DEFAULTS.pro, heavySafetyMargin: 0.25 }).limit).toBe(7);
    expect(windowOf('Heavy', { ...PLAN_DEFAULTS.pro, heavyPerSecond: 1, heavySafetyMargin: 0.5 }).limit).toBe(
      1,
    );
    expect(windowOf('Resource-intensive', PLAN_DEFAULTS.business).limit).toBe(20);
    // The client's limiter (which the planner paces cycles by) is the one with the margin.
    h = await startSim({ meetings: [meetingWith(2)] });
    expect(s2sClient(h, { limits: PLAN_DEFAULTS.business }).limiters.Heavy.limit).toBe(36);
    expect(
      s2sClient(h, { limits: { ...PLAN_DEFAULTS.business, heavySafetyMargin: 0 } }).limiters.Heavy.limit,
    ).toBe(40);
  });

  it('never exceeds the per-minute limit of Resource-intensive calls', async () => {
    h = await startSim({ meetings: [meetingWith(1)], limits: { resource_intensive_per_minute: 3 } });
    const client = s2sClient(h, { limits: { ...PLAN_DEFAULTS.business, resourcePerMinute: 3 } });
    const query = { type: 'live', ...liveRange(h.clock.now()) };
    await Promise.all(Array.from({ length: 10 }, () => client.get(ENDPOINTS.meetings, {}, query)));
    expect(h.sim.limits.refused.qps).toBe(0);
    expect(h.sim.requests.get('list 200')).toBe(10);
  });

  it('waits as a 429 Retry-After in seconds says, then succeeds', async () => {
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: '429', times: 1, delay: '7s' }] });
    const client = s2sClient(h);
    const t = h.clock.now();
    await meetingQos(client);
    expect(h.clock.now() - t).toBeGreaterThanOrEqual(7000);
    expect(client.stats.total({ outcome: 'rate_limited' })).toBe(1);
    expect(client.stats.total({ outcome: 'ok' })).toBe(1);
  });

  it('gives up after 6 waits, on the 7th request, and says so (not "after 7 waits")', async () => {
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: '429', delay: '3s' }] });
    const client = s2sClient(h);
    const t = h.clock.now();
    const err = await meetingQos(client).catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_RATE_LIMITED')).toBe(true);
    expect(h.sim.requests.get('qos 429')).toBe(7);
    expect(h.clock.now() - t).toBeGreaterThanOrEqual(6 * 3000);
    // It said "after 7 waits": one more than were made.
    expect((err as ZoomError).message).toBe('meeting_qos: still rate limited after 6 waits (7 requests)');
  });

  it('a 429 asking more than 30 s pauses its category only: the call and the ones waiting are refused unsent, the other category goes on', async () => {
    // Every Heavy call waited the pause out in the call: 6 waits of 300 s, the poll cycle with it.
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: '429', path: 'qos', delay: '300s' }] });
    const client = s2sClient(h, { limits: { ...PLAN_DEFAULTS.business, heavyPerSecond: 1 } });
    const t = h.clock.now();
    const calls = [meetingQos(client), meetingQos(client)].map((p) => p.catch((e: unknown) => e));
    const [first, queued] = await Promise.all(calls);
    expect(h.clock.now() - t).toBeLessThan(30_000);
    expect(h.sim.requests.get('qos 429')).toBe(1);
    for (const err of [first, queued]) {
      expect(isZoomError(err, 'ZOOM_RATE_LIMITED')).toBe(true);
      expect((err as ZoomError).details.resetAt).toBe(t + 300_000);
    }
    expect((first as ZoomError).message).toBe(
      `meeting_qos: Zoom's Heavy rate limit pauses these calls until ${new Date(t + 300_000).toISOString()} (the 429's Retry-After: 300 s); not sent, asked again then`,
    );
    expect(client.pause('Heavy')?.until).toBe(t + 300_000);
    expect(client.pause('Resource-intensive')?.until).toBeUndefined();
    await client.get(ENDPOINTS.meetings, {}, { type: 'live', ...liveRange(h.clock.now()) });
    expect(h.sim.requests.get('list 200')).toBe(1);
    await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_RATE_LIMITED' });
    expect(h.sim.requests.get('qos 429')).toBe(1);
    h.clock.advanceTo(t + 300_000);
    expect(client.pause('Heavy')?.until).toBeUndefined();
  });

  it('waits as a 429 Retry-After given as a date says', async () => {
    h = await startSim({
      meetings: [meetingWith(2)],
      faults: [{ kind: '429', times: 1, delay: '12s', retry_after_format: 'date' }],
    });
    const client = s2sClient(h);
    const t = h.clock.now();
    await meetingQos(client);
    expect(h.clock.now() - t).toBeGreaterThanOrEqual(11_000);
  });

  it('a Retry-After of -1, 0 or a date already past waits one window of the category, not at once', async () => {
    // It retried back to back: 7 calls in 12 ms, logging waitMs -818125361517 (-1 read as 2001-01-01).
    for (const retryAfter of ['-1', '0', 'Thu, 01 Jan 2026 00:00:00 GMT']) {
      h = await startSim({
        meetings: [meetingWith(2)],
        faults: [{ kind: '429', times: 3, retry_after: retryAfter }],
      });
      const client = s2sClient(h);
      const t = h.clock.now();
      await meetingQos(client);
      expect(h.sim.requests.get('qos 429'), retryAfter).toBe(3);
      expect(h.clock.now() - t, retryAfter).toBeGreaterThanOrEqual(
        3 * windowOf('Heavy', PLAN_DEFAULTS.business).windowMs,
      );
      await h.close();
    }
  });

  it("stops at Zoom's daily-limit 429 until the reset, and sends nothing meanwhile", async () => {
    h = await startSim({ meetings: [meetingWith(1)], limits: { daily: 1000 } });
    const client = s2sClient(h);
    await meetingQos(client);
    h.sim.limits.drawDaily('acct-1', 999, h.clock.now()); // other apps on the account empty the pool
    const err = await meetingQos(client).catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_DAILY_LIMIT')).toBe(true);
    const resetAt = (err as ZoomError).details.resetAt!;
    expect(new Date(resetAt).toISOString()).toBe('2026-11-21T00:00:00.000Z');
    expect(client.stats.total({ outcome: 'daily_limited' })).toBe(1);
    const sent = h.sim.apiRequests();
    await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_DAILY_LIMIT' });
    expect(h.sim.apiRequests()).toBe(sent);
    h.clock.advanceTo(resetAt + 1000);
    // A new day: calls go out again.
    await expect(meetingQos(client)).resolves.toHaveProperty('participants');
    expect(h.sim.apiRequests()).toBe(sent + 1);
  });

  it("stops before a 429 when Zoom's X-RateLimit-Remaining says the daily pool is empty", async () => {
    h = await startSim({ meetings: [meetingWith(1)], limits: { daily: 5 } });
    const client = s2sClient(h);
    for (let i = 0; i < 5; i++) await meetingQos(client);
    await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_DAILY_LIMIT' });
    expect(h.sim.limits.refused.daily).toBe(0);
    expect(h.sim.apiRequests()).toBe(5);
  });

  it('keeps to its share of the daily pool without asking Zoom', async () => {
    h = await startSim({ meetings: [meetingWith(1)] });
    const client = s2sClient(h, { limits: { ...PLAN_DEFAULTS.business, dailyPool: 10 }, dailyShare: 0.4 });
    for (let i = 0; i < 4; i++) await meetingQos(client);
    await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_BUDGET_EXHAUSTED' });
    expect(h.sim.apiRequests()).toBe(4);
    expect(client.budget.remaining()).toBe(0);
  });
});

describe('failures', () => {
  it('retries 5xx answers with backoff, then succeeds', async () => {
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: '503', times: 2 }] });
    const client = s2sClient(h);
    const t = h.clock.now();
    await meetingQos(client);
    expect(client.stats.total({ outcome: 'server_error' })).toBe(2);
    expect(client.stats.total({ outcome: 'ok' })).toBe(1);
    expect(h.clock.now() - t).toBeGreaterThanOrEqual(50 + 100); // two backoffs, jittered from 100 and 200 ms
  });

  it('gives up on 5xx after its retries with a retryable typed error', async () => {
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: '500' }] });
    const client = s2sClient(h, { maxRetries: 2 });
    const err = await meetingQos(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZoomError);
    expect(err).toMatchObject({ code: 'ZOOM_HTTP_ERROR', retryable: true, status: 500 });
    expect(h.sim.requests.get('qos 500')).toBe(3);
  });

  it('retries after a timeout, a reset connection and a malformed body', async () => {
    h = await startSim({
      meetings: [meetingWith(2)],
      faults: [
        // Answers after 30 s (real time) unless cut off: the timeout must end it.
        { kind: 'slow', times: 1, delay: '30s' },
        { kind: 'reset', times: 1 },
        { kind: 'malformed', times: 1 },
      ],
    });
    // zoom.timeout's timer is the test's: it fires once the simulator holds the slow request, so
    // a loaded machine neither times out the calls that are answered nor lets the slow one through.
    const timers = new ManualTimers();
    const client = s2sClient(h, { timeoutMs: 100, timers });
    const calling = meetingQos(client);
    await vi.waitFor(() => expect(h.sim.faults.served.get('slow')).toBe(1), {
      timeout: 20_000,
      interval: 10,
    });
    expect(timers.fireAll()).toBe(1);
    const body = await calling;
    expect(timers.armed).toBe(0);
    expect(body.participants).toHaveLength(2);
    expect(client.stats.total({ outcome: 'timeout' })).toBe(1);
    expect(client.stats.total({ outcome: 'network_error' })).toBe(1);
    expect(client.stats.total({ outcome: 'bad_response' })).toBe(1);
  });

  it('tells an ended meeting (404, code 3001) apart from a failure', async () => {
    h = await startSim({ meetings: [meetingWith(2, { end: '10m' })] }, 11 * 60_000);
    const client = s2sClient(h);
    const err = await meetingQos(client).catch((e: unknown) => e);
    expect(isEnded(err)).toBe(true);
    expect((err as ZoomError).retryable).toBe(false);
    expect(client.stats.total({ outcome: 'ended' })).toBe(1);
  });

  it('encodes UUIDs that start with "/" or hold "//" twice', async () => {
    h = await startSim({ meetings: [meetingWith(3, { uuid: '/ab//cd+e==' })] });
    const client = s2sClient(h);
    const body = await meetingQos(client, '/ab//cd+e==');
    expect(body.participants).toHaveLength(3);
    // Encoded once, Zoom (and the simulator) cannot find it.
    const auth = await new S2SOAuth(
      { oauthUrl: `${h.url}/oauth/token`, accountId: 'a', clientId: 'c', clientSecret: 's' },
      h.clock,
    ).authorize();
    const once = await fetch(
      `${h.url}/v2/metrics/meetings/${encodeURIComponent('/ab//cd+e==')}/participants/qos`,
      {
        headers: { authorization: auth.header },
      },
    );
    expect(once.status).toBe(404);
    expect(await once.json()).toMatchObject({ code: 3001 });
  });

  it('stops at once when its signal aborts', async () => {
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: 'slow', delay: '300ms', times: 1 }] });
    const client = s2sClient(h);
    const ac = new AbortController();
    const call = client
      .get(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, {}, ac.signal)
      .catch((e: unknown) => e);
    setTimeout(() => ac.abort(new Error('shutdown')), 20);
    expect(String(await call)).toContain('shutdown');
    expect(client.stats.total()).toBe(0);
  });
});

describe('connections', () => {
  it('keeps its connection open between calls: 40 calls one after another over at most 3 sockets', async () => {
    // A new connection per call would cost a TCP (with Zoom, a TLS) handshake each time. The
    // token request may leave one socket of its own, and undici may open a second while the
    // first is still being handed back: 2 are seen here.
    h = await startSim({ meetings: [meetingWith(3)] });
    const client = s2sClient(h);
    for (let i = 0; i < 40; i++) await meetingQos(client);
    expect(h.sim.requests.get('qos 200')).toBe(40);
    expect(h.sim.connections).toBeLessThanOrEqual(3);
  });
});
