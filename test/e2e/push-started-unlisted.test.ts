import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { zoomTime } from '../../src/util/zoom-time.js';
import { holdClockInCycles } from '../helpers/daemon.js';
import {
  BAD_DETAILS,
  GOOD_DETAILS,
  pushedMeeting,
  pushingDaemon,
  qosEvent,
  runPushingAfterCycles,
  wiredParticipant,
} from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Outside tester, stop 37 (HIGH): a meeting Zoom announced by a pushed `meeting.started`, which
 * discovery did not list yet, was "ended" at the next poll cycle: discovery ended every tracked
 * instance it did not list, those a pushed `*.started` tracked included. Its firing alert
 * resolved (reason ended) and fired again at the next push, its pending alert was dropped, and a
 * post-call report was started for a live meeting. Here the daemon's own loop runs on the
 * virtual clock, discovery (the simulator) lists another meeting only, and a signed push comes
 * after every cycle: the started meeting is left to its pushes, and ends once they stop for
 * takeover_after.
 */
const UUID = 'started/unlisted==';
const MEETING = { id: 81234567001, uuid: UUID, topic: 'Fresh' };
const SECRET = 'started-unlisted-secret';
const MIN = 60_000;
/** webhooks.takeover_after */
const TAKEOVER = 2 * MIN;
/** The `meeting.started` and the first QoS pushes come after the cycle of this minute. */
const FROM = 3;
/** Pushes after the cycles of minutes FROM..LAST_PUSH; then none. */
const LAST_PUSH = 9;
const END = LAST_PUSH + 6;

let h: SimHarness;
let events: PipelineEvent[];
/** The daemon's /metrics text at the end. */
let metrics: string;
const changes: { at: number; change: AlertChange }[] = [];

/** `meeting.started` as Zoom sends it (payload.object: id, uuid, topic, start_time). */
const startedEvent = (now: number): string =>
  JSON.stringify({
    event: 'meeting.started',
    event_ts: now,
    payload: {
      account_id: 'sim-account',
      object: {
        id: '81234567001',
        uuid: UUID,
        host_id: 'host',
        topic: 'Fresh',
        type: 2,
        start_time: zoomTime(T0),
      },
    },
  });

/**
 * The bodies pushed after the cycle of minute `m`: at FROM, the `meeting.started`, then Ann's
 * minutes 0..FROM (all bad: her alert fires at once) and Bee's (bad from FROM on: pending);
 * after it, each one's minute `m`.
 */
function bodiesAt(m: number, now: number): string[] {
  const minutes = m === FROM ? Array.from({ length: FROM + 1 }, (_, i) => i) : [m];
  return [
    ...(m === FROM ? [startedEvent(now)] : []),
    qosEvent(MEETING, { user_id: '300', name: 'Ann' }, minutes, () => BAD_DETAILS, now),
    qosEvent(
      MEETING,
      { user_id: '301', name: 'Bee' },
      minutes,
      (x) => (x >= FROM ? BAD_DETAILS : GOOD_DETAILS),
      now,
    ),
  ];
}

const of = (name: string): { at: number; change: AlertChange }[] =>
  changes.filter((c) => c.change.alert.context.uuid === UUID && c.change.alert.context.participant === name);

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-started-unlisted',
      qos_window: '10m',
      meetings: [pushedMeeting(83200000007, 'listed/other==', 'Listed', wiredParticipant('cat', '200'))],
    },
    0,
  );
  const started = await pushingDaemon(h, SECRET, TAKEOVER, {});
  events = started.events;
  holdClockInCycles(started.daemon, h);
  started.daemon.onAlerts((c) => changes.push(...c.map((change) => ({ at: h.clock.now(), change }))));
  await runPushingAfterCycles(started.daemon, h, SECRET, END, (m, now) =>
    m < FROM || m > LAST_PUSH ? [] : bodiesAt(m, now),
  );
  metrics = await started.daemon.parts.metrics.text();
}, 120_000);
afterAll(async () => {
  await h.close();
});

describe('a meeting announced by a pushed meeting.started that discovery does not list (stop 37)', () => {
  const lastPushAt = T0 + LAST_PUSH * MIN;

  it('is not ended by the poll cycles while pushed: one ended, once its pushes stopped for takeover_after', () => {
    const ended = events.filter((e) => e.type === 'ended' && e.instance.uuid === UUID);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.type === 'ended' && ended[0]!.at).toBeGreaterThan(lastPushAt + TAKEOVER);
    // Discovery answered all along, without it.
    expect(events.some((e) => e.type === 'polled' && e.instance.uuid === 'listed/other==')).toBe(true);
  });

  it('its firing alert fires once and stays firing while pushed; resolves once, as ended, after', () => {
    const ann = of('Ann');
    expect(ann.filter((c) => c.change.state === 'firing')).toHaveLength(1);
    const resolved = ann.filter((c) => c.change.state === 'resolved');
    expect(resolved.map((c) => c.change.alert.reason)).toEqual(['ended']);
    expect(resolved[0]!.at).toBeGreaterThan(lastPushAt + TAKEOVER);
  });

  it('its pending alert is kept across the cycles and fires from the minute it went pending', () => {
    const bee = of('Bee');
    expect(bee.map((c) => c.change.state)).toEqual(['pending', 'firing', 'resolved']);
    expect(bee[1]!.change.alert.since).toBe(T0 + FROM * MIN);
  });

  it('saves no call: polling alone would never have polled it (review, stop 38: it counted each cycle)', () => {
    // The listed meeting is polled; the pushed one, on the push path all along, was never listed.
    expect(metrics).toMatch(/^qoswatch_webhook_samples_total\{[^}]*\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^qoswatch_poll_calls_saved_total 0$/m);
  });
});
