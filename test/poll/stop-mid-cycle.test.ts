import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/http-server.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingScheduler } from '../helpers/scheduler.js';
import { startSim, type SimHarness } from '../helpers/sim.js';
import { waitFor } from '../helpers/storm.js';

/**
 * A stop (SIGTERM) in the middle of a poll cycle: the polls under way finish, and no new one
 * starts. Before, the cycle went on through its whole queue (outside test, stop 25: 113 QoS
 * calls before the signal, 187 after), past the documented stop time.
 */
const MIN = 60_000;
const MEETINGS = 24;
let h: SimHarness;
let proxy: TestServer;
/** QoS requests held back by the proxy, with the step that lets each go. */
const held: (() => void)[] = [];
let holding = true;

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'stop-mid-cycle',
      meetings: Array.from({ length: MEETINGS }, (_, i) => ({
        id: 85300000000 + i,
        uuid: `stop-mid/${String(i).padStart(2, '0')}==`,
        topic: `Meeting ${i}`,
        start: '0m',
        end: '2h',
        participants: [{ key: `p${i}`, id: `u-${i}`, user_id: String(400 + i), name: `P${i}` }],
      })),
    },
    10 * MIN,
  );
  proxy = await simProxy(h.url, {
    hold: (r, forward) => {
      if (!holding || !r.path.includes('/qos')) return false;
      held.push(forward);
      return true;
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await h.close();
});

describe('a stop in the middle of a poll cycle', () => {
  it('lets the polls under way finish and starts no new one', async () => {
    const { scheduler, events } = meetingScheduler(proxy.url, h.clock, { poll: { concurrency: 4 } });
    const stop = new AbortController();
    const cycle = scheduler.cycle(new AbortController().signal, { stop: stop.signal, all: true });
    await waitFor('4 polls under way', () => held.length === 4);
    stop.abort();
    holding = false;
    for (const go of held.splice(0)) go();
    const report = await cycle;
    const qos = proxy.received.filter((r) => r.path.includes('/qos'));
    expect(qos).toHaveLength(4);
    // What the polls under way brought is handed on.
    const polled = events.filter((e) => e.type === 'polled');
    expect(polled).toHaveLength(4);
    expect(report.live).toBe(MEETINGS);
    // The cycle's report (and its log line) counts the polls made, not the ones planned.
    expect(report.polled).toBe(4);
  });
});
