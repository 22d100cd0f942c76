import { afterEach, describe, expect, it } from 'vitest';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import { takeCount } from '../../src/poll/participant-count.js';
import type { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingWith, s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Reviewer LOW (decision): the cycle plan costs an instance whose participant count is a guess at
 * one call. Kept before anything is read (participant-count.ts, costedParticipants, says why);
 * but once a QoS read of it has read its first page, that page's total_records says its size,
 * and a read stopped after it (a failure, a 429's pause) left the plan costing it one call still:
 * a meeting of 300 was planned as 1 call each cycle and each cycle started its 30 pages again.
 */
let h: SimHarness;
let proxy: TestServer;
afterEach(async () => {
  await proxy.close();
  await h.close();
});

/** A meeting of `n`, the list's count stripped (a guess); its QoS pages after the first refused while `failing.on`. */
async function guessed(n: number) {
  h = await startSim({ meetings: [meetingWith(n)] });
  const failing = { on: true };
  proxy = await simProxy(h.url, {
    rewrite: (text, r) =>
      r.path.includes('/metrics/meetings?') ? text.replace(/"participants":\d+,/g, '') : text,
    answer: (r) =>
      failing.on && r.path.includes('/participants/qos') && r.path.includes('next_page_token')
        ? { status: 400, body: JSON.stringify({ code: 300, message: 'Refused.' }) }
        : undefined,
  });
  const { log } = captureLog();
  const client = s2sClient({ url: proxy.url, clock: h.clock }, { logger: log, maxRetries: 0 });
  const source = new DashboardSource('meeting', client, h.clock, new NormalizeStats(), log, 1_800_000);
  const { live } = await source.discover();
  expect(live[0]!.countGuessed).toBe(true);
  return { source, live: live[0]!, failing };
}

describe('the cost of a meeting whose count is a guess', () => {
  it('is one call before anything is read, the size its first QoS page said once a read stopped after it', async () => {
    const { source, live, failing } = await guessed(300);
    expect(source.cost(live)).toBe(1);
    await expect(source.poll(live)).rejects.toMatchObject({ status: 400 });
    // Old code: 1 (the guess), so each plan took it for one call and the read of 30 pages began again.
    expect(source.cost(live)).toBe(30);
    expect(live.countGuessed).toBe(true);
    // The list, still without a count, keeps what the read said.
    const { live: again } = await source.discover();
    takeCount(live, again[0]!);
    expect(source.cost(live)).toBe(30);
    // A poll that counts it costs it by its count.
    failing.on = false;
    const polled = await source.poll(live);
    expect(polled.present).toHaveLength(300);
    expect(live).not.toHaveProperty('recordsSaid');
    expect(source.cost(live)).toBe(30);
  });

  it("is the size its QoS read said, not the participants list's, when the poll stops while reading that list", async () => {
    h = await startSim({ shape: 'older', meetings: [meetingWith(400)] });
    const stop = new AbortController();
    proxy = await simProxy(h.url, {
      rewrite: (text, r) =>
        r.path.includes('/metrics/meetings?')
          ? text.replace(/"participants":\d+,/g, '')
          : r.path.includes('/participants?')
            ? text.replace(/"total_records":\d+/, '"total_records":5000')
            : text,
      // The list's second page never comes: the daemon stops meanwhile.
      hold: (r) => {
        const held = r.path.includes('/participants?') && r.path.includes('next_page_token');
        if (held) stop.abort();
        return held;
      },
    });
    const { log } = captureLog();
    const client = s2sClient({ url: proxy.url, clock: h.clock }, { logger: log });
    const source = new DashboardSource('meeting', client, h.clock, new NormalizeStats(), log, 1_800_000);
    const live = (await source.discover()).live[0]!;
    await expect(source.poll(live, stop.signal)).rejects.toThrow();
    // Before: 500, the participants list's total_records (5,000) taken for the QoS read's.
    expect(source.cost(live)).toBe(40);
  });
});
