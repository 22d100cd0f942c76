import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runThroughProxy, type ProxiedRun } from '../helpers/proxied-run.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Bad entries in Zoom's live meetings list (outside tester, stop 27, LOW #6). Before, null, a
 * string or an entry without a uuid were dropped without a count, and a numeric uuid (12345) was
 * polled as a UUID: `/metrics/meetings/12345/participants/qos` asks for a meeting by its number.
 * Now each is skipped, counted in qoswatch_discovery_entries_invalid_total and logged once; an
 * entry with a good uuid and fields of the wrong type is still polled.
 */
const MIN = 60_000;
/** Per listing: 3 that are not objects, 6 without a usable uuid. */
const BAD = [
  null,
  'x',
  42,
  {},
  { uuid: 12345, id: 12345 },
  { uuid: '' },
  { uuid: '  ' },
  { uuid: { a: 1 } },
  { uuid: 'a b' },
];
let h: SimHarness;
let run: ProxiedRun;

beforeAll(async () => {
  h = await startSim({ seed: 'bad-discovery', meetings: [meetingWith(2, { topic: 'Real' })] }, 10 * MIN);
  run = await runThroughProxy(
    h,
    (text, r) => {
      if (!/\/metrics\/meetings\?/.test(r.path)) return text;
      const page = JSON.parse(text) as { meetings: Record<string, unknown>[] };
      // The real entry with fields of the wrong type, among the bad ones.
      for (const m of page.meetings) Object.assign(m, { participants: 'many', topic: { x: 1 }, id: [1] });
      return JSON.stringify({ ...page, meetings: [...BAD, ...page.meetings] });
    },
    4 * MIN,
  );
}, 60_000);
afterAll(async () => {
  await run.proxy.close();
  await h.close();
});

describe("bad entries in Zoom's live meetings list", () => {
  it('are never polled; the good entry is, though its other fields have the wrong type', () => {
    const qos = run.proxy.received.filter((r) => r.path.includes('/qos'));
    expect(qos.length).toBeGreaterThanOrEqual(run.cycles);
    for (const r of qos) expect(r.path).toContain(encodeURIComponent('mtg-uuid-1=='));
    const polled = run.events.filter((e) => e.type === 'polled');
    expect(new Set(polled.map((e) => e.instance.uuid))).toEqual(new Set(['mtg-uuid-1==']));
    expect(polled[0]!.instance).toMatchObject({ id: 'mtg-uuid-1==', topic: '' });
  });

  it('are counted, each listing', () => {
    const listings = run.proxy.received.filter((r) => /\/metrics\/meetings\?/.test(r.path)).length;
    expect(listings).toBeGreaterThan(1);
    expect(run.metrics).toMatch(
      new RegExp(`^qoswatch_discovery_entries_invalid_total ${listings * BAD.length}$`, 'm'),
    );
  });

  it('are logged once', () => {
    expect(run.lines.filter((l) => /no usable uuid/.test(l.msg))).toHaveLength(1);
  });
});
