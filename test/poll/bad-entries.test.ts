import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import type { PollResult } from '../../src/poll/poll-result.js';
import { silentLogger } from '../../src/util/logger.js';
import type { TestServer } from '../helpers/http-server.js';
import { rewrittenQos } from '../helpers/rewritten-qos.js';
import { s2sClient, type SimHarness } from '../helpers/sim.js';

/**
 * A QoS page with entries that are not objects (null, a string, a number, an array) between
 * real ones: they are skipped and counted, and the meeting's real participants are still read.
 * Before, `joinKey(null)` threw and the whole meeting was lost, every cycle (outside test, stop 25).
 */
const MIN = 60_000;
let h: SimHarness;
let proxy: TestServer;
let close: () => Promise<void>;
/** Whether the proxy makes the QoS page 15 times the page_size asked for. */
let overfull = false;
/** Whether the proxy adds two entries whose user_qos is not a list. */
let notList = false;

beforeAll(async () => {
  ({ h, proxy, close } = await rewrittenQos(
    { seed: 'bad-entries', id: 85200000001, uuid: 'bad/entries==', userIds: ['300', '301'] },
    (text) => {
      if (notList) {
        const page = JSON.parse(text) as { participants: Record<string, unknown>[] };
        const first = page.participants[0]!;
        page.participants.push(
          { ...first, user_id: '302', user_qos: 'x' },
          { ...first, user_id: '303', user_qos: {} },
        );
        return JSON.stringify(page);
      }
      if (!overfull) return text.replace('"participants":[', '"participants":[null,"x",3,[],');
      // 148 copies of the first entry, each its own join, after the real two: 150 for a page_size of 10.
      const page = JSON.parse(text) as { participants: Record<string, unknown>[] };
      const first = page.participants[0]!;
      for (let i = 0; i < 148; i++) page.participants.push({ ...first, user_id: String(9000 + i) });
      return JSON.stringify(page);
    },
  ));
});
afterAll(() => close());

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
  const {
    live: [live],
  } = await source.discover();
  return { result: await source.poll(live!), stats };
}

describe('QoS entries that are not objects', () => {
  it('are skipped and counted; the meeting is still polled', async () => {
    const { result, stats } = await pollOnce();
    expect(result.present.sort()).toEqual(['300', '301']);
    expect(new Set(result.samples.map((s) => s.participant.key))).toEqual(new Set(['300', '301']));
    expect(stats.samplesInvalid).toBe(4);
    expect(Object.fromEntries(stats.invalidBy)).toEqual({ not_object: 4 });
  });

  it('whose user_qos is not a list are counted (hT40b: user_qos "x" counted under no reason)', async () => {
    notList = true;
    const { result, stats } = await pollOnce();
    notList = false;
    expect(new Set(result.samples.map((s) => s.participant.key))).toEqual(new Set(['300', '301']));
    expect(Object.fromEntries(stats.invalidBy)).toEqual({ samples_not_list: 2 });
  });

  it('past ten times the page_size are skipped and counted; the rest are read', async () => {
    overfull = true;
    const { result, stats } = await pollOnce();
    expect(result.present).toHaveLength(100);
    expect(result.present).toEqual(expect.arrayContaining(['300', '301']));
    expect(stats.samplesInvalid).toBe(50);
    expect(Object.fromEntries(stats.invalidBy)).toEqual({ past_page_size: 50 });
  });
});
