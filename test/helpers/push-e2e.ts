import type { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Config } from '../../src/config/types.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { CycleReport } from '../../src/poll/scheduler.js';
import { QssPusher, type PushOptions } from '../../src/simulator/qss-pusher.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { daemonFor } from './daemon.js';
import { T0, type SimHarness } from './sim.js';
import { zoomHeaders } from './zoom-webhook.js';
import { zoomTime } from '../../src/util/zoom-time.js';

const MIN = 60_000;

type RawMeeting = NonNullable<RawScenario['meetings']>[number];
type RawParticipant = NonNullable<RawMeeting['participants']>[number];

/** A named participant on a wired network in data centre SC: `ann` is Ann, id u-ann. */
export function wiredParticipant(key: string, userId: string): RawParticipant {
  const name = key.charAt(0).toUpperCase() + key.slice(1);
  return { key, id: `u-${key}`, user_id: userId, name, network_type: 'Wired', data_center: 'SC' };
}

/** The push tests' meeting: from scenario minute 0 for two hours, with these participants. */
export function pushedMeeting(
  id: number,
  uuid: string,
  topic: string,
  ...participants: RawParticipant[]
): RawMeeting {
  return { id, uuid, topic, start: '0m', end: '2h', participants };
}

/**
 * A daemon polling meetings of the simulator with webhooks on (one app at /zoom/qss), listening,
 * and a pusher of the simulator's QSS events aimed at it.
 */
export async function pushingDaemon(
  h: SimHarness,
  secret: string,
  takeoverAfterMs: number,
  push: Omit<PushOptions, 'url' | 'secretToken'>,
  tweak: (c: Config) => void = () => undefined,
): Promise<{ daemon: Daemon; events: PipelineEvent[]; pusher: QssPusher }> {
  const { daemon, events } = daemonFor(h, (c) => {
    c.sources = { meetings: true, webinars: false, sessions: false };
    c.webhooks = {
      host: '127.0.0.1',
      port: 0,
      apps: [{ name: 'qss', path: '/zoom/qss', secretToken: secret }],
      maxBodyBytes: 65_536,
      maxAgeMs: 5 * MIN,
      takeoverAfterMs,
      recheckEveryMs: 10 * MIN, // the default
    };
    tweak(c);
  });
  await daemon.listen();
  const pusher = new QssPusher(h.sim.world, h.clock, {
    url: `${daemon.parts.webhooks!.url!}/zoom/qss`,
    secretToken: secret,
    ...push,
  });
  return { daemon, events, pusher };
}

/**
 * Scenario minutes 0 to `end`: each minute a push round (until `stopPushAt`; after it only the
 * retry fault's redeliveries), its records handed on, then one poll cycle.
 */
export async function pushThenPoll(
  h: SimHarness,
  daemon: Daemon,
  pusher: QssPusher,
  opts: { end: number; stopPushAt: number; onCycle?: (r: CycleReport) => void },
): Promise<void> {
  const stop = new AbortController();
  for (let m = 0; m <= opts.end; m++) {
    h.clock.advanceTo(T0 + m * MIN);
    // After the stop, Zoom still retries what it sent before (the retry fault, if asked for).
    await (m <= opts.stopPushAt ? pusher.push() : pusher.pushRetries());
    for (let i = 0; i < 50 && daemon.parts.webhooks!.spool.backlogBytes > 0; i++)
      await new Promise((r) => setImmediate(r));
    // Not `onCycle?.(await cycle())`: without onCycle that would skip the cycle itself.
    const report = await daemon.parts.scheduler.cycle(stop.signal);
    opts.onCycle?.(report);
  }
}

/**
 * Scenario minute `m` with notifications: a push round, its records handed on, a poll cycle,
 * then (past group_wait and group_interval) one delivery round of the dispatcher, as its loop does.
 */
export async function pushMinuteAndNotify(
  h: SimHarness,
  daemon: Daemon,
  pusher: QssPusher,
  m: number,
  signal: AbortSignal,
): Promise<void> {
  const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
  h.clock.advanceTo(T0 + m * MIN);
  await pusher.push();
  for (let i = 0; i < 50 && daemon.parts.webhooks!.spool.backlogBytes > 0; i++) await turn();
  for (let i = 0; i < 10; i++) await turn();
  await daemon.parts.scheduler.cycle(signal);
  h.clock.advanceTo(T0 + m * MIN + 30_000);
  await daemon.parts.dispatcher!.tick(signal);
}

/** What a push-then-poll run saw: alert changes, cycle reports, and the minutes each instance's QoS list was served. */
export interface PushedRun {
  daemon: Daemon;
  changes: AlertChange[];
  reports: CycleReport[];
  served: Map<string, number[]>;
}

/**
 * A pushing daemon (takeover after 3 minutes) over `h`, Zoom pushing the participants `pushed`
 * says, run from minute 0 to `end` with pushes throughout (pushThenPoll). `tweak` changes its
 * config (pushingDaemon's).
 */
export async function pushedRun(
  h: SimHarness,
  secret: string,
  pushed: NonNullable<PushOptions['onlyParticipants']>,
  end: number,
  tweak?: (c: Config) => void,
): Promise<PushedRun> {
  const served = new Map<string, number[]>();
  h.sim.onServe = ({ instance, at }) => {
    const list = served.get(instance.uuid) ?? [];
    list.push(Math.round((at - T0) / MIN));
    served.set(instance.uuid, list);
  };
  const { daemon, pusher } = await pushingDaemon(h, secret, 3 * MIN, { onlyParticipants: pushed }, tweak);
  const changes: AlertChange[] = [];
  const reports: CycleReport[] = [];
  daemon.onAlerts((c) => changes.push(...c));
  await pushThenPoll(h, daemon, pusher, { end, stopPushAt: end, onCycle: (r) => reports.push(r) });
  return { daemon, changes, reports, served };
}

/**
 * The daemon's own loop (daemon.run on `h`'s virtual clock) until scenario minute `end`: after
 * each cycle, the bodies `bodiesAt` gives for the cycle's minute are signed with `secret` and
 * posted to its /zoom/qss in order, the clock held until they are taken in (not until a slow
 * machine is slow enough). A body not answered 200 fails the run.
 */
export async function runPushingAfterCycles(
  daemon: Daemon,
  h: Pick<SimHarness, 'clock'>,
  secret: string,
  end: number,
  bodiesAt: (minute: number, now: number) => string[],
): Promise<void> {
  const stop = new AbortController();
  const url = `${daemon.parts.webhooks!.url!}/zoom/qss`;
  const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
  let pushing: Promise<void> = Promise.resolve();
  await daemon.run(stop.signal, () => {
    const now = h.clock.now();
    if (now >= T0 + end * MIN) return stop.abort();
    const bodies = bodiesAt(Math.floor((now - T0) / MIN), now);
    if (!bodies.length) return;
    const release = h.clock.hold();
    pushing = pushing
      .then(async () => {
        for (const body of bodies) {
          const res = await fetch(url, { method: 'POST', headers: zoomHeaders(secret, body, now), body });
          if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`);
        }
        for (let i = 0; i < 100 && daemon.parts.webhooks!.spool.backlogBytes > 0; i++) await turn();
        for (let i = 0; i < 5; i++) await turn();
      })
      .finally(release);
  });
  await pushing;
}

/** QoS details as Zoom pushes them: latency 450 ms (above the default rules' 300 ms) or 40 ms. */
export const BAD_DETAILS = {
  bitrate: '60 kbps',
  latency: '450 ms',
  jitter: '5 ms',
  avg_loss: '0.0%',
  max_loss: '0.0%',
};
export const GOOD_DETAILS = { ...BAD_DETAILS, latency: '40 ms' };

/**
 * A `meeting.participant_qos` event as Zoom sends it, of one participant (`user`: its user_id,
 * `name`: its user_name) of the meeting `meeting`, with audio input and output for each of
 * `minutes` (scenario minutes) and the details `detailsAt` gives for the minute.
 */
export function qosEvent(
  meeting: { id: number; uuid: string; topic: string },
  user: { user_id: string; name: string },
  minutes: readonly number[],
  detailsAt: (minute: number) => Record<string, string>,
  now: number,
): string {
  return JSON.stringify({
    event: 'meeting.participant_qos',
    event_ts: now,
    payload: {
      account_id: 'sim-account',
      object: {
        ...meeting,
        participant: {
          user_id: user.user_id,
          participant_user_id: `u-${user.name.toLowerCase()}`,
          user_name: user.name,
          qos: minutes.flatMap((m) =>
            ['audio_input', 'audio_output'].map((type) => ({
              date_time: zoomTime(T0 + m * MIN),
              type,
              details: detailsAt(m),
            })),
          ),
        },
      },
    },
  });
}
