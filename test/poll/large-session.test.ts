import { afterEach, describe, expect, it } from 'vitest';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { SessionSource } from '../../src/poll/session-source.js';
import { startSim, videoSdkClient, type SimHarness } from '../helpers/sim.js';

/**
 * A session's QoS pages were bounded at 100 pages whatever its size (meetings' and webinars' by
 * their participant count, as docs/zoom-client.md says of every instance): a session of 1,005
 * users, 101 pages of 10, was cut after 1,000, counted and warned as a pagination that does not
 * end, and its last 5 users were never polled. Seen while moving the QoS read to poll/qos-read.ts.
 */
let h: SimHarness;
afterEach(async () => {
  await h.close();
});

describe('a Video SDK session larger than 100 QoS pages', () => {
  it('is read whole: its page bound follows its user count', async () => {
    h = await startSim({
      sessions: [
        {
          id: 'sess-big',
          topic: 'Town hall',
          start: '0m',
          end: '60m',
          crowd: { count: 1005, prefix: 'u', join: '0m', muted_share: 0 },
        },
      ],
    });
    const client = videoSdkClient(h);
    const source = new SessionSource(client, h.clock, new NormalizeStats());
    const { live } = await source.discover();
    expect(live.map((l) => l.participants)).toEqual([1005]);
    const polled = await source.poll(live[0]!);
    // Old code: 1000 present, session_qos counted in page loops once.
    expect(polled.present).toHaveLength(1005);
    expect(client.stats.pageLoops.get('session_qos') ?? 0).toBe(0);
  });
});
