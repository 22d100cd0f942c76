import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingScheduler } from '../helpers/scheduler.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Review (stop 40, LOW): a listing stopped as a page loop (3 pages in a row that add nothing new)
 * ended as a finished one: its callers could not tell the read was cut, so whom it had not reached
 * looked absent. A QoS poll took the participants past the cut as gone, and a cut live list ended
 * the meetings past it. Now the read says it was cut: a poll holds whom it does not list (as for
 * entries it cannot identify, for at most rules.gap_tolerance), and discovery ends nothing.
 */
let h: SimHarness;
let proxy: TestServer | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await h.close();
});

const MIN = 60_000;
const signal = new AbortController().signal;

describe('a QoS read cut as a page loop', () => {
  it('takes nobody it did not reach as gone', async () => {
    h = await startSim({ meetings: [meetingWith(30)] });
    const { log, lines } = captureLog();
    const { scheduler, events } = meetingScheduler(h.url, h.clock, { log });
    const t0 = h.clock.now();
    expect(await scheduler.cycle(signal)).toMatchObject({ polled: 1, participants: 30 });

    // From now on every QoS page is the first one again, with a new next_page_token.
    h.sim.faults.add({ kind: 'page_loop', path: 'participants/qos' });
    h.clock.advanceTo(t0 + MIN);
    const before = h.sim.apiRequests();
    await scheduler.cycle(signal);
    // 1 list call, then 4 QoS pages: 10 joins, then 3 pages that add nothing.
    expect(h.sim.apiRequests() - before).toBe(5);
    expect(lines.filter((l) => l.msg.includes('3 pages in a row added nothing new'))).toHaveLength(1);
    const polled = events.filter((e) => e.type === 'polled');
    expect(polled).toHaveLength(2);
    // Old code: 10 present, the other 20 taken as gone.
    expect(polled[1]!.type === 'polled' && polled[1]!.present).toHaveLength(30);
  });
});

describe('a live list cut as a page loop', () => {
  it('ends none of the meetings it did not show, and is listed again next cycle', async () => {
    const second = meetingWith(2, { id: 85000000002, uuid: 'mtg-uuid-2==', topic: 'Second' });
    h = await startSim({ meetings: [meetingWith(3), second] });
    let cut = false;
    // Once cut, the list shows the first meeting only, on pages that never end (the sim's page_loop).
    proxy = await simProxy(h.url, {
      rewrite: (text, r) => {
        if (!cut || !/\/metrics\/meetings\?/.test(r.path)) return text;
        const answer = JSON.parse(text) as { meetings: { uuid: string }[] };
        return JSON.stringify({
          ...answer,
          meetings: answer.meetings.filter((m) => m.uuid !== 'mtg-uuid-2=='),
        });
      },
    });
    const { log, lines } = captureLog();
    const { scheduler, events } = meetingScheduler(proxy.url, h.clock, { log });
    const t0 = h.clock.now();
    expect(await scheduler.cycle(signal)).toMatchObject({ live: 2 });

    cut = true;
    h.sim.faults.add({ kind: 'page_loop', path: 'metrics/meetings$' });
    h.clock.advanceTo(t0 + MIN);
    const report = await scheduler.cycle(signal);
    // Old code: the second meeting ended, as if the list had been read to its end.
    expect(events.filter((e) => e.type === 'ended')).toEqual([]);
    expect(report).toMatchObject({ live: 2, errors: 1 });
    expect(lines.map((l) => l.msg)).toContain(
      "Zoom's live meetings list was cut (3 pages in a row added nothing new); those it does not show are kept as they were",
    );
  });
});
