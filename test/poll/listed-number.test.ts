import { afterEach, describe, expect, it } from 'vitest';
import { runThroughProxy, type ProxiedRun } from '../helpers/proxied-run.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Outside tester, stop 38 (LOW): a live meetings list entry with `"id": 1e400` (JSON for a number
 * past a double: Infinity) was discovered as meeting "Infinity", and so named in its alerts. Now a
 * meeting number that cannot be one (not a whole number from 0 up) is refused: counted in
 * qoswatch_values_missing_total{field="id",reason="implausible"}, logged once, and the meeting
 * named by its uuid (as when the id is absent); it is still polled.
 */
const MIN = 60_000;
let h: SimHarness;
let run: ProxiedRun;
afterEach(async () => {
  await run.proxy.close();
  await h.close();
});

async function listedWithId(id: string, kind: 'meetings' | 'webinars' = 'meetings'): Promise<ProxiedRun> {
  const instance = meetingWith(2, { topic: 'Real' });
  h = await startSim({ seed: 'listed-number', [kind]: [instance] }, 10 * MIN);
  // The number written into the list's text: JSON.stringify cannot write 1e400.
  const list = new RegExp(`/metrics/${kind}\\?`);
  const rewrite = (text: string, r: { path: string }): string =>
    list.test(r.path) ? text.replace('"id":85000000001', `"id":${id}`) : text;
  run = await runThroughProxy(h, rewrite, 3 * MIN);
  return run;
}

const refused = (metrics: string): number =>
  Number(
    /^qoswatch_values_missing_total\{field="id",reason="implausible"\} (\d+)$/m.exec(metrics)?.[1] ?? '0',
  );

describe("a meeting number in Zoom's live list that cannot be one", () => {
  // A string that is not digits only: old code took it as the meeting number, as it was.
  const strings = ['"1.5"', '"12abc"', '" 85000000001 "', '"a\\nb\\u0000c"', '""'];
  it.each(['1e400', '-1e400', '1.5', '-3', ...strings])(
    '%s: the meeting is named by its uuid and still polled; counted each listing, logged once',
    async (id) => {
      const r = await listedWithId(id);
      const polled = r.events.filter((e) => e.type === 'polled');
      expect(polled.length).toBeGreaterThan(0);
      for (const e of polled) expect(e.instance).toMatchObject({ id: 'mtg-uuid-1==', topic: 'Real' });
      const listings = r.proxy.received.filter((q) => /\/metrics\/meetings\?/.test(q.path)).length;
      expect(listings).toBeGreaterThan(1);
      expect(refused(r.metrics)).toBe(listings);
      const said = r.lines.filter((l) => l.field === 'id');
      expect(said).toHaveLength(1);
      const v: unknown = JSON.parse(id);
      // A text is said quoted, a number bare (both were quoted: "1.5" read the same as 1.5).
      const form = typeof v === 'string' ? JSON.stringify(v) : String(v);
      expect(said[0]!.msg).toBe(
        `Zoom sent meeting or webinar ids qoswatch cannot take (the first: ${form}: not a whole number from 0 up); those instances are named by their UUID instead`,
      );
    },
  );

  // Outside tester hT40 (stop 40, LOW): an int64 past 2^53 as a JSON number (Zoom's spec: `id`
  // is int64) reads rounded; old code refused it right but said "Zoom sent id values outside
  // what can be measured (the first: "12345678901234567000")", nothing of the lost digits or the UUID.
  it.each(['meetings', 'webinars'] as const)(
    'a JSON number past 2^53 in the live %s list is not an exact integer: named by its uuid, and said so',
    async (kind) => {
      const r = await listedWithId('12345678901234567890', kind);
      const polled = r.events.filter((e) => e.type === 'polled');
      expect(polled.length).toBeGreaterThan(0);
      for (const e of polled) expect(e.instance).toMatchObject({ id: 'mtg-uuid-1==', topic: 'Real' });
      expect(refused(r.metrics)).toBeGreaterThan(1);
      const said = r.lines.filter((l) => l.field === 'id');
      expect(said.map((l) => l.msg)).toEqual([
        'Zoom sent meeting or webinar ids qoswatch cannot take (the first: about 12345678901234567000, as JSON reads it: not an exact integer: a JSON number past 2^53 has lost its last digits); those instances are named by their UUID instead',
      ]);
    },
  );

  // rA40 (LOW): the reason was guessed from the form: a 21-digit text was said to have lost its
  // digits as a JSON number, and 1e21 (written 1e+21) to be no whole number.
  it.each([
    ['"123456789012345678901"', '"123456789012345678901": more digits than an int64\'s 20'],
    [
      '1000000000000000000000',
      'about 1e+21, as JSON reads it: not an exact integer: a JSON number past 2^53 has lost its last digits',
    ],
  ])('%s is said as what it is', async (id, what) => {
    const r = await listedWithId(id);
    expect(r.lines.filter((l) => l.field === 'id').map((l) => l.msg)).toEqual([
      `Zoom sent meeting or webinar ids qoswatch cannot take (the first: ${what}); those instances are named by their UUID instead`,
    ]);
  });

  // The reason was read back from the logged form, cut at 40 characters: 40 digits then a letter
  // was said to have "more digits than an int64's 20". It is decided from the whole value now.
  const forty = '1234567890'.repeat(4);
  it.each([
    [`"${forty}x"`, `"${forty}"…: not a whole number from 0 up`],
    [`"${forty}12345"`, `"${forty}"…: more digits than an int64's 20`],
  ])('%s, longer than its logged form, is said as what it is', async (id, what) => {
    const r = await listedWithId(id);
    expect(r.events.find((e) => e.type === 'polled')?.instance.id).toBe('mtg-uuid-1==');
    expect(refused(r.metrics)).toBeGreaterThan(1);
    expect(r.lines.filter((l) => l.field === 'id').map((l) => l.msg)).toEqual([
      `Zoom sent meeting or webinar ids qoswatch cannot take (the first: ${what}); those instances are named by their UUID instead`,
    ]);
  });

  it.each(['85000000038', '"85000000038"', '"9223372036854775807"'])(
    'a whole number, or a string of digits (an int64 past 2^53 too), is the meeting number: %s',
    async (id) => {
      const r = await listedWithId(id);
      expect(r.events.find((e) => e.type === 'polled')?.instance.id).toBe(String(JSON.parse(id)));
      expect(refused(r.metrics)).toBe(0);
    },
  );
});
