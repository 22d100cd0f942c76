import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import type { ZoomClient } from '../../src/zoom/client.js';
import { meetingQos, meetingWith, s2sClient, startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Zoom's empty daily pool holds calls until Zoom's 00:00 UTC by the answer's `Date`, but never
 * past our own next 00:00 UTC plus ZoomClock's 5-minute tolerance: a `Date` 2 minutes ahead (a
 * proxy's) at our 23:58 is past Zoom's midnight, and held every call ~24 hours (hT45b F1). An
 * empty `X-RateLimit-Remaining:` is no count (Number('') is 0: hT45b F3). A daily 429's
 * Retry-After before the reset is obeyed even with `X-RateLimit-Remaining: 0` (rA45 F10).
 * Our clock is the simulator's (the pool's); a 127.0.0.1 proxy changes the answers' headers.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** The simulator's midnight after T0's day. */
const MIDNIGHT = Date.parse('2026-11-21T00:00:00Z');

let h: SimHarness | undefined;
let proxy: http.Server | undefined;
afterEach(async () => {
  await h?.close();
  await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
  h = undefined;
  proxy = undefined;
});

interface Rewrite {
  /** Added to the answer's `Date`. */
  dateMs?: number;
  /** Replaces `X-RateLimit-Remaining` where Zoom sent one. */
  remaining?: string;
  /** Replaces a 429's `Retry-After`, from the simulator's clock now. */
  retryAfter?: (now: number) => string;
}

/** A proxy on 127.0.0.1 in front of the simulator that rewrites its answers' headers. */
async function headerProxy(sim: SimHarness, w: Rewrite): Promise<string> {
  const t = new URL(sim.url);
  let self = '';
  proxy = http.createServer((req, res) => {
    const up = http.request(
      { host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        const headers = { ...r.headers };
        if (headers.date && w.dateMs)
          headers.date = new Date(Date.parse(headers.date) + w.dateMs).toUTCString();
        if (w.remaining !== undefined && headers['x-ratelimit-remaining'] !== undefined)
          headers['x-ratelimit-remaining'] = w.remaining;
        if (w.retryAfter && r.statusCode === 429) headers['retry-after'] = w.retryAfter(sim.clock.now());
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          // the token answer's api_url names the simulator: keep the client on this proxy
          const body = Buffer.from(Buffer.concat(chunks).toString('utf8').split(sim.url).join(self));
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          res.writeHead(r.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
          res.end(body);
        });
      },
    );
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', r));
  self = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return self;
}

/** The pool (3 calls) spent at `at` (ours = the simulator's), through a proxy moving `Date` by `dateMs`. */
async function spentAt(at: number, dateMs: number): Promise<{ client: ZoomClient; ours: VirtualClock }> {
  h = await startSim({ meetings: [meetingWith(1)], limits: { daily: 3 } }, at - T0);
  const url = await headerProxy(h, { dateMs });
  const ours = new VirtualClock(h.clock.now());
  const client = s2sClient({ url, clock: ours });
  for (let i = 0; i < 3; i++) await meetingQos(client);
  expect(h.sim.limits.refused.daily).toBe(0);
  return { client, ours };
}

/** Both clocks (the same) to `at`. */
function advance(ours: VirtualClock, at: number): void {
  ours.advanceTo(at);
  h!.clock.advanceTo(at);
}

/** No request leaves while held: refused locally. */
async function heldLocally(client: ZoomClient): Promise<void> {
  const sent = h!.sim.apiRequests();
  await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_DAILY_LIMIT' });
  expect(h!.sim.apiRequests()).toBe(sent);
}

describe("the empty pool's hold is bounded by our midnight plus 5 minutes", () => {
  it('Date 2 min ahead, spent at our 23:58: held to our 00:05, not a day (Zoom says 00:00 already)', async () => {
    const { client, ours } = await spentAt(MIDNIGHT - 2 * MIN, 2 * MIN);
    expect(client.budget.blocked).toBe(MIDNIGHT + 5 * MIN); // before: MIDNIGHT + DAY - 2 * MIN
    advance(ours, MIDNIGHT + 4 * MIN);
    await heldLocally(client);
    advance(ours, MIDNIGHT + 5 * MIN);
    expect(client.budget.blocked).toBe(0);
    await expect(meetingQos(client)).resolves.toHaveProperty('participants');
    expect(h!.sim.limits.refused.daily).toBe(0);
  });

  it("Date 2 min ahead, spent at our 00:01: held to Zoom's next midnight, 2 min before ours", async () => {
    const { client, ours } = await spentAt(MIDNIGHT + MIN, 2 * MIN);
    expect(client.budget.blocked).toBe(MIDNIGHT + DAY - 2 * MIN);
    advance(ours, MIDNIGHT + DAY - 2 * MIN - 1000);
    await heldLocally(client);
  });

  it("Date 3 min behind, spent at our 23:58: held to Zoom's midnight, our 00:03", async () => {
    const { client, ours } = await spentAt(MIDNIGHT - 2 * MIN, -3 * MIN);
    expect(client.budget.blocked).toBe(MIDNIGHT + 3 * MIN);
    advance(ours, MIDNIGHT + 3 * MIN - 1000);
    await heldLocally(client);
    advance(ours, MIDNIGHT + 3 * MIN);
    await expect(meetingQos(client)).resolves.toHaveProperty('participants');
  });

  it("Date 3 min behind, spent at our 00:01 (Zoom's 23:58): held to Zoom's midnight, our 00:03", async () => {
    const { client, ours } = await spentAt(MIDNIGHT + MIN, -3 * MIN);
    expect(client.budget.blocked).toBe(MIDNIGHT + 3 * MIN);
    advance(ours, MIDNIGHT + 3 * MIN - 1000);
    await heldLocally(client);
  });

  it("a daily 429 with a Date 2 min ahead at our 23:58 holds to our 00:05, not Zoom's next midnight", async () => {
    h = await startSim({ meetings: [meetingWith(1)], limits: { daily: 1000 } }, MIDNIGHT - 2 * MIN - T0);
    h.sim.limits.drawDaily('acct-1', 1000, h.clock.now()); // other apps empty the pool
    const url = await headerProxy(h, {
      dateMs: 2 * MIN,
      retryAfter: (now) => new Date(now + 2 * MIN + DAY).toISOString(),
    });
    const ours = new VirtualClock(h.clock.now());
    const client = s2sClient({ url, clock: ours });
    await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_DAILY_LIMIT' });
    expect(h.sim.limits.refused.daily).toBe(1);
    expect(client.budget.blocked).toBe(MIDNIGHT + 5 * MIN);
    advance(ours, MIDNIGHT + 5 * MIN);
    await expect(meetingQos(client)).resolves.toHaveProperty('participants');
  });
});

describe('X-RateLimit-Remaining is a count only when it is digits', () => {
  for (const value of ['', ' ', '-0', '0x0', 'none']) {
    it(`X-RateLimit-Remaining: ${JSON.stringify(value)} is ignored, not an empty pool`, async () => {
      h = await startSim({ meetings: [meetingWith(1)], limits: { daily: 1000 } }, 10 * MIN);
      const url = await headerProxy(h, { remaining: value });
      const client = s2sClient({ url, clock: h.clock });
      await meetingQos(client);
      expect(client.budget.blocked).toBe(0);
      await expect(meetingQos(client)).resolves.toHaveProperty('participants');
    });
  }

  it("X-RateLimit-Remaining: ' 0 ' still empties the pool", async () => {
    h = await startSim({ meetings: [meetingWith(1)], limits: { daily: 1000 } }, 10 * MIN);
    const url = await headerProxy(h, { remaining: ' 0 ' });
    const client = s2sClient({ url, clock: h.clock });
    await meetingQos(client);
    expect(client.budget.blocked).toBe(MIDNIGHT);
    await heldLocally(client);
  });
});

describe("a daily 429's earlier Retry-After is obeyed with X-RateLimit-Remaining: 0 beside it", () => {
  it('Retry-After in 1 hour at 18:00: a call goes out at 19:00, not at midnight', async () => {
    h = await startSim({ meetings: [meetingWith(1)], limits: { daily: 1000 } }, MIDNIGHT - 6 * HOUR - T0);
    h.sim.limits.drawDaily('acct-1', 1000, h.clock.now()); // other apps empty the pool
    const url = await headerProxy(h, { retryAfter: (now) => new Date(now + HOUR).toISOString() });
    const ours = new VirtualClock(h.clock.now());
    const client = s2sClient({ url, clock: ours });
    await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_DAILY_LIMIT' });
    expect(h.sim.limits.refused.daily).toBe(1);
    expect(client.budget.blocked).toBe(MIDNIGHT - 5 * HOUR); // before: MIDNIGHT after the hour
    advance(ours, MIDNIGHT - 5 * HOUR - 1000);
    await heldLocally(client);
    advance(ours, MIDNIGHT - 5 * HOUR);
    expect(client.budget.blocked).toBe(0);
    await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_DAILY_LIMIT' });
    expect(h.sim.limits.refused.daily).toBe(2); // Zoom asked for it: the call went out
  });
});
