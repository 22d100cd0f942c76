import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { Scheduler } from '../../src/poll/scheduler.js';
import { captureLog } from '../helpers/log.js';
import { laggingList } from '../helpers/lagging-list.js';
import { meetingScheduler } from '../helpers/scheduler.js';
import type { SimHarness } from '../helpers/sim.js';

/**
 * Zoom's live list lags an end: discovery still lists an instance whose QoS call already answers
 * 404 with code 3001 (outside tester, stop 27, LOW #4). Before, every cycle "discovered" it, polled
 * it (a Heavy call), "ended" it and handed on an `ended` event again: 80 cycles, 80 calls, 160 log
 * lines. Now a poll's end is remembered until discovery stops listing the instance.
 */
const MIN = 60_000;
const ENDS = 'ends/soon==';

let h: SimHarness;
let close: () => Promise<void>;
let scheduler: Scheduler;
let events: PipelineEvent[];
const { log, lines } = captureLog('info');
/** Whether the proxy keeps listing the ended meeting (its entry as last listed live). */
let lag = true;

beforeAll(async () => {
  const listed = await laggingList(
    'ended-listed',
    { id: 85300000001, uuid: ENDS, topic: 'Ends', user: { key: 'ann', user_id: '400', name: 'Ann' } },
    { id: 85300000002, uuid: 'stays/on==', topic: 'Stays', user: { key: 'bo', user_id: '401', name: 'Bo' } },
    { lag: () => lag },
  );
  ({ h, close } = listed);
  ({ scheduler, events } = meetingScheduler(listed.proxy.url, h.clock, { log }));
});
afterAll(() => close());

const cycle = () => scheduler.cycle(new AbortController().signal, { all: true });
const endedOf = (uuid: string) => events.filter((e) => e.type === 'ended' && e.instance.uuid === uuid);
const said = (re: RegExp) => lines.filter((l) => re.test(l.msg)).length;

describe('an instance discovery lists after its QoS call said it ended (404, code 3001)', () => {
  it('ends once and stays ended while discovery lags, polling nothing for it', async () => {
    await cycle();
    expect(
      scheduler
        .instances()
        .map((i) => i.ref.uuid)
        .sort(),
    ).toEqual([ENDS, 'stays/on=='].sort());
    h.clock.advance(3 * MIN); // the meeting ended at 12m; the proxy still lists it
    const qosBefore = h.sim.requests.get('qos 404') ?? 0;
    for (let i = 0; i < 10; i++) {
      await cycle();
      h.clock.advance(MIN);
    }
    expect(h.sim.requests.get('qos 404')! - qosBefore).toBe(1);
    expect(endedOf(ENDS)).toHaveLength(1);
    expect(said(/discovered meeting "Ends"/)).toBe(1);
    expect(said(/meeting "Ends" ended/)).toBe(1);
    expect(scheduler.instances().map((i) => i.ref.uuid)).toEqual(['stays/on==']);
    expect(scheduler.endedStillListed).toBe(1);
    expect(scheduler.lastCycle!.coverage.ratio).toBe(1);
  });

  it('is forgotten once discovery stops listing it', async () => {
    lag = false;
    await cycle();
    expect(scheduler.endedStillListed).toBe(0);
    expect(endedOf(ENDS)).toHaveLength(1);
    expect(endedOf('stays/on==')).toHaveLength(0);
  });
});
