import { afterEach, describe, expect, it } from 'vitest';
import { NormalizeStats } from '../../src/normalize/stats.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { pageLimit } from '../../src/zoom/page-read.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import type { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingScheduler } from '../helpers/scheduler.js';
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

/** The meeting of `n` (the list's count stripped: a guess) through a proxy; `faults` the sim's. */
async function guessed(n: number, faults: RawScenario['faults'] = []) {
  h = await startSim({ meetings: [meetingWith(n)], faults });
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
  expect(live[0]!.countGuessed).toBe(true);
  return { client, lines, source, live: live[0]! };
}

describe('a meeting whose list does not say how many are in it', () => {
  it('is read whole on its first poll, with no page loop', async () => {
    const { client, lines, source, live } = await guessed(300);
    const polled = await source.poll(live);
    // Old code: 120 present, meeting_qos counted in page loops once and warned.
    expect(polled.present).toHaveLength(300);
    expect(client.stats.pageLoops.get('meeting_qos') ?? 0).toBe(0);
    expect(client.stats.pageLoops.get('meeting_participants') ?? 0).toBe(0);
    expect(lines.filter((l) => l.msg.includes('pagination does not end'))).toEqual([]);
    expect(live.participants).toBe(300);
  });
});

/** Review (stop 40, LOW): the discovery line said "(1 participant)" for a guessed count. */
describe('the discovery line of a meeting whose list does not say how many', () => {
  it('says its count is not known, not "1 participant"', async () => {
    h = await startSim({ meetings: [meetingWith(30)] });
    proxy = await simProxy(h.url, {
      rewrite: (text, r) =>
        r.path.includes('/metrics/meetings?') ? text.replace(/"participants":\d+,/g, '') : text,
    });
    const { log, lines } = captureLog();
    const { scheduler } = meetingScheduler(proxy.url, h.clock, { log });
    await scheduler.cycle(new AbortController().signal);
    const said = lines.filter((l) => l.msg.startsWith('discovered meeting'));
    // Old code: 'discovered meeting "Test meeting" (1 participant)', participants: 1.
    expect(said.map((l) => l.msg)).toEqual([
      'discovered meeting "Test meeting" (participants not known until its first poll)',
    ]);
    expect(said[0]).toMatchObject({ countGuessed: true });
    expect(said[0]).not.toHaveProperty('participants');
  });
});

/**
 * Review (stop 40, LOW): a guessed count took the default bound of 100 pages, so the first poll
 * of a meeting of more than 1,000 (QoS pages of 10) was cut at 1,000 and called a page loop. Now
 * the first page's `total_records` bounds the read as a count would (never below 100 pages).
 */
describe('a meeting of more than 1,000 whose list does not say how many', () => {
  it('is read whole on its first poll (1,200 of them), with no page loop', async () => {
    const { client, lines, source, live } = await guessed(1_200);
    const before = h.sim.apiRequests();
    const polled = await source.poll(live);
    // Old code: 1,000 present (100 pages), meeting_qos counted in page loops and warned.
    expect(polled.present).toHaveLength(1_200);
    expect(h.sim.apiRequests() - before).toBe(120);
    expect(client.stats.pageLoops.get('meeting_qos') ?? 0).toBe(0);
    expect(lines.filter((l) => l.msg.includes('pagination does not end'))).toEqual([]);
    expect(live.participants).toBe(1_200);
  });

  it('stops when its pagination never ends and its pages add no join: 3 pages in a row', async () => {
    const { client, lines, source, live } = await guessed(1_200, [
      { kind: 'page_loop', path: 'participants/qos' },
    ]);
    const before = h.sim.apiRequests();
    await source.poll(live);
    // The sim's page_loop answers the first page again and again. Old code: 250 calls.
    expect(h.sim.apiRequests() - before).toBe(4);
    expect(client.stats.pageLoops.get('meeting_qos')).toBe(1);
    expect(lines.filter((l) => l.msg.includes('3 pages in a row added nothing new'))).toHaveLength(1);
  });
});

/**
 * Review (stop 40, MEDIUM): the first page's total_records bounds a guessed read up to 100,000
 * (20,010 QoS pages), so a never-ending pagination over the same joins with a wrong total_records
 * (3,000) cost 610 calls in one poll, though every page past the 120th added no join. Now three
 * pages in a row that add nothing stop the read as a page loop; an honest read is not stopped.
 */
describe('a guessed meeting whose pages wrap around forever and whose total_records is wrong', () => {
  /** The meeting of 1,200 (list count stripped), its QoS pages wrapping round, total_records 3000. */
  async function wrapping(path: string) {
    h = await startSim({ meetings: [meetingWith(1_200)], faults: [{ kind: 'page_wrap', path }] });
    proxy = await simProxy(h.url, {
      rewrite: (text, r) =>
        r.path.includes('/metrics/meetings?')
          ? text.replace(/"participants":\d+,/g, '')
          : text.replace(/"total_records":\d+/, '"total_records":3000'),
    });
    const { log, lines } = captureLog();
    const client = s2sClient({ url: proxy.url, clock: h.clock }, { logger: log });
    const source = new DashboardSource('meeting', client, h.clock, new NormalizeStats(), log, 1_800_000);
    const { live } = await source.discover();
    expect(live[0]!.countGuessed).toBe(true);
    return { client, lines, source, live: live[0]! };
  }

  it('reads every join once and stops 3 pages after the last new one, not at 2 x 300 + 10 pages', async () => {
    const { client, lines, source, live } = await wrapping('participants/qos');
    const before = h.sim.apiRequests();
    const polled = await source.poll(live);
    // Old code: 610 calls (2 x 300 + 10 pages: the bound of total_records 3,000).
    expect(polled.present).toHaveLength(1_200);
    expect(h.sim.apiRequests() - before).toBe(123);
    expect(client.stats.pageLoops.get('meeting_qos')).toBe(1);
    expect(lines.filter((l) => l.msg.includes('3 pages in a row added nothing new'))).toHaveLength(1);
  });

  it('stops a participants list read by join the same way (joinOf: its repeats are still yielded)', async () => {
    const { client, live } = await wrapping('participants$');
    const before = h.sim.apiRequests();
    let entries = 0;
    for await (const page of client.pages<Record<string, unknown>>(
      ENDPOINTS.meetingParticipants,
      { id: live.ref.uuid },
      { type: 'live' },
      { totalRecordsUpTo: 100_000, joinOf: (p) => (typeof p.user_id === 'string' ? p.user_id : '') },
    ))
      entries += page.length;
    // 4 pages of 300, then 3 that add nothing. Old code: 100 calls (the default bound).
    expect(h.sim.apiRequests() - before).toBe(7);
    expect(entries).toBe(7 * 300);
    expect(client.stats.pageLoops.get('meeting_participants')).toBe(1);
  });

  it('takes total_records only as a whole number, at most its bound, never below the default 100 pages', () => {
    const qos = ENDPOINTS.meetingQos;
    const up = { totalRecordsUpTo: 100_000 };
    expect(pageLimit(qos, up, { total_records: 1_200 })).toBe(250);
    expect(pageLimit(qos, up, { total_records: 300 })).toBe(100);
    // A hostile count: 100,000 participants at most (a known count's bound), not 1e9.
    expect(pageLimit(qos, up, { total_records: 1e9 })).toBe(20_010);
    for (const total_records of [undefined, -5, 1.5, '5000', null])
      expect(pageLimit(qos, up, { total_records })).toBe(100);
    // A known count bounds the read, whatever the answer says; so does a read not asking for it.
    expect(pageLimit(qos, { expectedItems: 5, ...up }, { total_records: 1_200 })).toBe(12);
    expect(pageLimit(qos, {}, { total_records: 1_200 })).toBe(100);
  });
});
