import { afterEach, describe, expect, it } from 'vitest';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import type { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingWith, s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Review (stop 39, LOW-MEDIUM): QoS pages were bounded by the participant count even when it was
 * only a guess (1: the list's count missing or absurd, an instance adopted after a restart or
 * started by a webhook): 2 x 1 + 10 = 12 pages, so the first poll of a meeting of 300 read 120,
 * warned "Zoom's pagination does not end" and counted a page loop. A guessed count bounds
 * nothing: the default 100 pages.
 */
let h: SimHarness;
let proxy: TestServer;
afterEach(async () => {
  await proxy.close();
  await h.close();
});

describe('a meeting whose list does not say how many are in it', () => {
  it('is read whole on its first poll, with no page loop', async () => {
    h = await startSim({ meetings: [meetingWith(300)] });
    // The meetings list without `participants`, as Zoom might send it.
    proxy = await simProxy(h.url, {
      rewrite: (text, r) =>
        r.path.includes('/metrics/meetings?') ? text.replace(/"participants":\d+,/g, '') : text,
    });
    const { log, lines } = captureLog();
    const client = s2sClient({ url: proxy.url, clock: h.clock }, { logger: log });
    const source = new DashboardSource('meeting', client, h.clock, new NormalizeStats(), log, 1_800_000);
    const { live } = await source.discover();
    expect(live.map((l) => l.participants)).toEqual([1]);
    const polled = await source.poll(live[0]!);
    // Old code: 120 present, meeting_qos counted in page loops once and warned.
    expect(polled.present).toHaveLength(300);
    expect(client.stats.pageLoops.get('meeting_qos') ?? 0).toBe(0);
    expect(client.stats.pageLoops.get('meeting_participants') ?? 0).toBe(0);
    expect(lines.filter((l) => l.msg.includes('pagination does not end'))).toEqual([]);
    expect(live[0]!.participants).toBe(300);
  });
});
