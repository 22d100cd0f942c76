import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingScheduler } from '../helpers/scheduler.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Outside tester hT44 (F3, LOW): Zoom's docs promise of a next_page_token only that it lasts 15
 * minutes, not a snapshot; the simulator pages by offset, so a join (or a leave dropping out of
 * the QoS window) between two pages of one listing moves the entries behind it across the page
 * boundary. The daemon logged the entry read twice as "skipped QoS entries Zoom sent: ... repeating
 * a join key", and took the participant moved back past the cursor, unread, as gone. Now a key on
 * two pages of one read is paging drift (qoswatch_qos_paging_drift_total, not bad data), and such a
 * read takes nobody as gone (held as for a read cut short, for at most rules.gap_tolerance).
 * Here the simulator's own clock moves past a join or a leave while the first QoS page is served.
 */
let h: SimHarness;
let proxy: TestServer | undefined;
afterEach(async () => {
  h.sim.onServe = undefined;
  await proxy?.close();
  proxy = undefined;
  await h.close();
});

const MIN = 60_000;
const signal = new AbortController().signal;

/** After the first QoS page of the next read is served, the simulator's clock moves `byMs`. */
function moveAfterFirstPage(byMs: number): () => number {
  let pages = 0;
  h.sim.onServe = () => {
    if (pages++ === 0) h.clock.advance(byMs);
  };
  return () => pages;
}

describe('a QoS list that moves while it is paged', () => {
  it('a join before the cursor repeats an entry on the next page: skipped, counted as drift, not bad data', async () => {
    // "late" is first in the list once it joins (at 6m), so the crowd moves one place on.
    h = await startSim({ meetings: [meetingWith(25, { participants: [{ user_id: 'late', join: '6m' }] })] });
    const { log, lines } = captureLog('info');
    const { scheduler, events, stats } = meetingScheduler(h.url, h.clock, { log });
    const t0 = h.clock.now(); // 5m
    expect(await scheduler.cycle(signal)).toMatchObject({ polled: 1, participants: 25 });

    h.clock.advanceTo(t0 + MIN / 2);
    const pages = moveAfterFirstPage(MIN);
    await scheduler.cycle(signal);
    expect(pages()).toBe(3); // 10 + 10 (one of them read before) + 6
    // Old code: repeated_join 1, and the daily bad-data warning named it.
    expect(stats.invalidBy.get('repeated_join') ?? 0).toBe(0);
    expect(stats.pagingDrift).toBe(1);
    expect(lines.filter((l) => /repeating a join key/.test(l.msg))).toEqual([]);
    const polled = events.filter((e) => e.type === 'polled');
    expect(polled[1]!.type === 'polled' && polled[1]!.present).toHaveLength(25);
  });

  it('a leave dropping out before the cursor moves an entry back past it unread: nobody is taken as gone', async () => {
    // "gone" left at 4m and drops out of the 2-minute QoS window at 6m: the crowd moves one place back.
    h = await startSim({
      qos_window: '2m',
      meetings: [meetingWith(25, { participants: [{ user_id: 'gone', join: '0m', leave: '4m' }] })],
    });
    const { scheduler, events, stats } = meetingScheduler(h.url, h.clock);
    const t0 = h.clock.now(); // 5m
    await scheduler.cycle(signal);
    const first = events.filter((e) => e.type === 'polled');
    expect(first[0]!.type === 'polled' && first[0]!.present).toHaveLength(25);

    h.clock.advanceTo(t0 + MIN / 2);
    const served: string[] = [];
    const pages = moveAfterFirstPage(MIN);
    const count = h.sim.onServe!;
    h.sim.onServe = (e) => {
      served.push(...e.participants);
      count(e);
    };
    await scheduler.cycle(signal);
    expect(pages()).toBe(3);
    // One of the crowd was on no page of this read (the simulator pages by offset, as Zoom may).
    const crowd = first[0]!.type === 'polled' ? first[0]!.present : [];
    const unread = crowd.filter((k) => !served.some((s) => k.endsWith(s)));
    expect(unread).toHaveLength(1);
    // Old code: the one moved past the cursor was taken as gone (absent from `present`).
    const polled = events.filter((e) => e.type === 'polled');
    expect(polled[1]!.type === 'polled' && polled[1]!.present).toEqual(expect.arrayContaining(crowd));
    expect(stats.pagingDrift).toBe(1);

    // The next read, whole, says who is there as usual.
    h.sim.onServe = undefined;
    h.clock.advanceTo(t0 + 2 * MIN);
    await scheduler.cycle(signal);
    const last = events.filter((e) => e.type === 'polled').at(-1)!;
    expect(last.type === 'polled' && last.present).toHaveLength(25);
    expect(stats.pagingDrift).toBe(1);
  });
});

describe('a QoS list of two pages that does not move', () => {
  // Outside tester hT44b (Z2, MEDIUM): a read counted as drifted whenever total_records was above
  // the user_ids it read, which a total counting someone Zoom does not send (or an entry without
  // a user_id, a join repeated on one page) makes so on every read: every leave was held for
  // rules.gap_tolerance (5 minutes), and qoswatch_qos_paging_drift_total rose every cycle.
  it('whose total_records is one above its entries, every page alike: not drift, and whom it stops listing has left at once', async () => {
    h = await startSim({ meetings: [meetingWith(12)] });
    const drop: { id?: string } = {};
    const ids: string[] = [];
    proxy = await simProxy(h.url, {
      rewrite: (text, r) => {
        if (!r.path.includes('/participants/qos')) return text;
        const page = JSON.parse(text) as { total_records: number; participants: { user_id: string }[] };
        ids.push(...page.participants.map((p) => p.user_id));
        return JSON.stringify({
          ...page,
          // One above the entries sent, on every page of a read.
          total_records: page.total_records + (drop.id === undefined ? 1 : 0),
          participants: page.participants.filter((p) => p.user_id !== drop.id),
        });
      },
    });
    const { scheduler, events, stats } = meetingScheduler(proxy.url, h.clock);
    const t0 = h.clock.now();
    expect(await scheduler.cycle(signal)).toMatchObject({ polled: 1, participants: 12 });
    expect(ids).toHaveLength(12); // two pages: 10 and 2
    // Old code: drifted (13 above the 12 read), so this first poll held everyone, listing nobody.
    expect(stats.pagingDrift).toBe(0);
    const polled = (): string[][] => events.flatMap((e) => (e.type === 'polled' ? [e.present] : []));
    expect(polled()[0]).toHaveLength(12);

    // Zoom stops listing one of them, without a leave_time; its total stays one above what it sends.
    const dropped = ids[3]!;
    drop.id = dropped;
    h.clock.advanceTo(t0 + MIN / 2);
    await scheduler.cycle(signal);
    const second = polled()[1]!;
    // Old code: drifted, so the one not listed was held as present (for up to 5 minutes).
    expect(second).toHaveLength(11);
    expect(second.some((k) => k.includes(dropped))).toBe(false);
    expect(polled()[0]!.filter((k) => k.includes(dropped))).toHaveLength(1);
    expect(stats.pagingDrift).toBe(0);
  });
});
