import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import type { Clock, VirtualClock } from '../../src/util/clock.js';
import { Daemon } from '../../src/app/daemon.js';
import { silentLogger } from '../../src/util/logger.js';
import { daemonFor } from '../helpers/daemon.js';
import { simProxy } from '../helpers/proxy.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';
import type { TestServer } from '../helpers/http-server.js';

/**
 * Discovery at every cycle when `poll.discovery_interval` equals the poll interval (60 s each),
 * against the simulator over HTTP, on a driven clock that behaves as the real ones do:
 *
 * - a sleep ends 1 ms before its wake-up time, as a Node timer measured with Date.now() does
 *   now and then (and a scaled clock, `qoswatch demo`, by up to its speed-up factor in ms);
 * - each Zoom call takes 40-240 ms of clock time (a proxy in front of the simulator moves the
 *   clock before it forwards the request), so the webinars and sessions are listed later in the
 *   cycle than the meetings, by a time that varies from cycle to cycle.
 *
 * Before the fix discovery was measured from the moment each source was listed, with no slack:
 * a cycle starting 1 ms early skipped it, and so did every source listed after slower calls than
 * the cycle before. Discovery ran about every other cycle (every 120 s), and the 30-second
 * instance of the recurring meeting below fell between two and was never seen, so it had no
 * `ended` event and no report after the call.
 */
const JOIN = [{ user_id: '16778240', name: 'Ann' }];
const recurring = (id: number, kind: string): NonNullable<RawScenario['meetings']> => [
  { id, uuid: `${kind}-a==`, topic: `Weekly ${kind}`, start: '0m', end: '20m', participants: JOIN },
  // 30 s around the start of cycle 21 (20:59.979 with 1 ms early a cycle).
  { id, uuid: `${kind}-b==`, topic: `Weekly ${kind}`, start: '20m50s', end: '21m20s', participants: JOIN },
  { id, uuid: `${kind}-c==`, topic: `Weekly ${kind}`, start: '24m', end: '40m', participants: JOIN },
];
const SCENARIO: RawScenario = {
  meetings: recurring(777, 'meeting'),
  webinars: recurring(888, 'webinar'),
  sessions: [{ id: 'sess-1', topic: 'Support session', start: '0m', end: '60m', participants: JOIN }],
};

/** The clock's sleeps end `earlyMs` before their time (never before now). */
function earlyTimers(clock: VirtualClock, earlyMs: number): Clock {
  return {
    now: () => clock.now(),
    sleep: (ms, signal) => clock.sleep(Math.max(0, ms - earlyMs), signal),
  };
}

let h: SimHarness | undefined;
let proxy: TestServer | undefined;
afterEach(async () => {
  await proxy?.close();
  await h?.close();
});

describe('discovery of a recurring meeting’s next instance', () => {
  it('lists every source at every 60 s cycle, so a 30-second instance is seen and ends with an event', async () => {
    h = await startSim(SCENARIO, 0);
    const sim = h;
    let seed = 7;
    const latency = (): number => 40 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 201);
    proxy = await simProxy(sim.url, {
      hold: (_r, forward) => {
        sim.clock.advance(latency());
        forward();
        return true;
      },
    });
    const { daemon: template } = daemonFor({ ...sim, url: proxy.url });
    const events: PipelineEvent[] = [];
    const daemon = new Daemon(template.parts.config, {
      clock: earlyTimers(sim.clock, 1),
      log: silentLogger(),
      sinks: [{ handle: (e) => events.push(e) }],
    });
    const starts: number[] = [];
    const stop = new AbortController();
    await daemon.run(stop.signal, (r) => {
      starts.push(r.startedAt);
      if (sim.clock.now() >= T0 + 45 * 60_000) stop.abort();
    });

    // Cycles every 60 s less the early millisecond: 45 minutes, 46 cycles.
    expect(starts.length).toBe(46);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(59_999);
    // Every cycle listed each source once.
    expect(sim.sim.requests.get('list 200')).toBe(2 * starts.length);
    expect(sim.sim.requests.get('sessions 200')).toBe(starts.length);

    const uuids = (type: PipelineEvent['type']): string[] =>
      events.flatMap((e) => (e.type === type && 'instance' in e ? [e.instance.uuid] : []));
    // Each instance of both recurring series was polled and ended, the 30-second ones included;
    // an `ended` event is what makes the report after the call.
    for (const kind of ['meeting', 'webinar'])
      for (const i of ['a', 'b', 'c']) {
        expect(uuids('polled'), `${kind}-${i}`).toContain(`${kind}-${i}==`);
        expect(
          uuids('ended').filter((u) => u === `${kind}-${i}==`),
          `${kind}-${i}`,
        ).toHaveLength(1);
      }
    // Each instance ended at the first cycle after its end: the 30-second one at 21:59.978.
    const endedB = events.find((e) => e.type === 'ended' && e.instance.uuid === 'meeting-b==');
    expect(endedB && endedB.type === 'ended' ? endedB.at - T0 : 0).toBeLessThan(22 * 60_000);
  }, 120_000);
});
