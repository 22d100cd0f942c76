import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import type { PollResult } from '../../src/poll/source.js';
import { silentLogger } from '../../src/util/logger.js';
import type { TestServer } from '../helpers/http-server.js';
import { simProxy } from '../helpers/proxy.js';
import { s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * A QoS page with entries that are not objects (null, a string, a number, an array) between
 * real ones: they are skipped and counted, and the meeting's real participants are still read.
 * Before, `joinKey(null)` threw and the whole meeting was lost, every cycle (outside test, stop 25).
 */
const MIN = 60_000;
let h: SimHarness;
let proxy: TestServer;
/** Whether the proxy makes the QoS page 15 times the page_size asked for. */
let overfull = false;

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'bad-entries',
      meetings: [
        {
          id: 85200000001,
          uuid: 'bad/entries==',
          topic: 'Odd values',
          start: '0m',
          end: '2h',
          participants: [
            { key: 'ann', id: 'u-ann', user_id: '300', name: 'Ann' },
            { key: 'bo', id: 'u-bo', user_id: '301', name: 'Bo' },
          ],
        },
      ],
    },
    10 * MIN,
  );
  proxy = await simProxy(h.url, {
    rewrite: (text, r) => {
      if (!r.path.includes('/qos')) return text;
      if (!overfull) return text.replace('"participants":[', '"participants":[null,"x",3,[],');
      // 148 copies of the first entry, each its own join, after the real two: 150 for a page_size of 10.
      const page = JSON.parse(text) as { participants: Record<string, unknown>[] };
      const first = page.participants[0]!;
      for (let i = 0; i < 148; i++) page.participants.push({ ...first, user_id: String(9000 + i) });
      return JSON.stringify(page);
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await h.close();
});

/** One discovery and one poll of the meeting through the proxy, with fresh counts. */
async function pollOnce(): Promise<{ result: PollResult; stats: NormalizeStats }> {
  const stats = new NormalizeStats();
  const source = new DashboardSource(
    'meeting',
    s2sClient({ url: proxy.url, clock: h.clock }),
    h.clock,
    stats,
    silentLogger(),
    30 * MIN,
  );
  const [live] = await source.discover();
  return { result: await source.poll(live!), stats };
}

describe('QoS entries that are not objects', () => {
  it('are skipped and counted; the meeting is still polled', async () => {
    const { result, stats } = await pollOnce();
    expect(result.present.sort()).toEqual(['300', '301']);
    expect(new Set(result.samples.map((s) => s.participant.key))).toEqual(new Set(['300', '301']));
    expect(stats.samplesInvalid).toBe(4);
  });

  it('past ten times the page_size are skipped and counted; the rest are read', async () => {
    overfull = true;
    const { result, stats } = await pollOnce();
    expect(result.present).toHaveLength(100);
    expect(result.present).toEqual(expect.arrayContaining(['300', '301']));
    expect(stats.samplesInvalid).toBe(50);
  });
});
