import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { Scheduler } from '../../src/poll/scheduler.js';
import { captureLog } from '../helpers/log.js';
import { laggingList } from '../helpers/lagging-list.js';
import { meetingScheduler } from '../helpers/scheduler.js';
import { T0, type SimHarness } from '../helpers/sim.js';

/**
 * A QoS call that answers 404/3001 ends its instance, which stays ended while Zoom's lagging
 * live list still shows it (7827fe6). Were the 3001 wrong, the meeting would go unpolled to its
 * end. Now one still listed 10 minutes after is polled once more: a wrong 3001 costs 10 minutes,
 * a real end with a lagging list one more call.
 */
const WRONG = 'wrong/end==';
const ENDS = 'ends/soon==';
const { log, lines } = captureLog('info');
const MIN = 60_000;

let scheduler: Scheduler;
let events: PipelineEvent[];
let h: SimHarness;
let close: () => Promise<void>;
/** Scenario minutes of the QoS calls the proxy answered 3001 itself for WRONG, and those it passed on. */
const forged: number[] = [];
const passed = new Map<string, number[]>();

const minute = (): number => Math.round((h.clock.now() - T0) / MIN);
/** The meeting whose QoS list the request asks for (its UUID is encoded once or twice). */
const qosOf = (path: string): string | undefined =>
  path.includes('/qos')
    ? [WRONG, ENDS].find((u) => decodeURIComponent(decodeURIComponent(path)).includes(u))
    : undefined;

beforeAll(async () => {
  const listed = await laggingList(
    'ended-recheck',
    { id: 85600000002, uuid: ENDS, topic: 'Ends', user: { key: 'bo', user_id: '601', name: 'Bo' } },
    { id: 85600000001, uuid: WRONG, topic: 'Wrong end', user: { key: 'ann', user_id: '600', name: 'Ann' } },
    {
      // Zoom's first QoS answer for WRONG says it ended while it is live.
      answer: (r) => {
        if (qosOf(r.path) !== WRONG || forged.length) return undefined;
        forged.push(minute());
        return { status: 404, body: JSON.stringify({ code: 3001, message: 'Meeting does not exist.' }) };
      },
      seen: (r) => {
        const uuid = qosOf(r.path);
        if (uuid) passed.set(uuid, [...(passed.get(uuid) ?? []), minute()]);
      },
    },
  );
  ({ h, close } = listed);
  ({ scheduler, events } = meetingScheduler(listed.proxy.url, h.clock, { log }));
  // A cycle a minute, every instance polled, from minute 10 to 40.
  for (let m = 10; m <= 40; m++) {
    h.clock.advanceTo(T0 + m * MIN);
    await scheduler.cycle(new AbortController().signal, { all: true });
  }
}, 60_000);
afterAll(() => close());

const endedOf = (uuid: string) => events.filter((e) => e.type === 'ended' && e.instance.uuid === uuid);
const said = (re: RegExp) => lines.filter((l) => re.test(l.msg)).length;

describe('an instance whose QoS call said it ended, still listed 10 minutes later', () => {
  it('is polled once more, and polled as live again when it answers: a wrong 3001 costs 10 minutes', () => {
    expect(forged).toEqual([10]);
    expect(endedOf(WRONG)).toHaveLength(1);
    // Not polled while ended; once more at minute 20, then every cycle.
    expect(passed.get(WRONG)).toEqual(Array.from({ length: 21 }, (_, i) => 20 + i));
    expect(scheduler.instances().map((i) => i.ref.uuid)).toEqual([WRONG]);
    const samples = events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
    expect(samples.some((s) => s.instance.uuid === WRONG && s.time > T0 + 20 * MIN)).toBe(true);
    expect(said(/meeting "Wrong end" still listed as live 10 min after its QoS call said it ended/)).toBe(1);
    expect(said(/meeting "Wrong end" answers again after its QoS call said it ended/)).toBe(1);
    expect(said(/meeting "Wrong end" ended/)).toBe(1);
  });

  it('a real end with a lagging list costs one more call, and no second end', () => {
    // Polled live at 10 and 11, found ended at 12, once more at 22, then never while listed.
    expect(passed.get(ENDS)).toEqual([10, 11, 12, 22]);
    expect(h.sim.requests.get('qos 404')).toBe(2);
    expect(endedOf(ENDS)).toHaveLength(1);
    expect(said(/meeting "Ends" ended/)).toBe(1);
    expect(said(/meeting "Ends" still listed/)).toBe(1);
    expect(scheduler.endedStillListed).toBe(1);
  });
});
