import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QssPusher } from '../../src/simulator/qss-pusher.js';
import { holdClockInCycles } from '../helpers/daemon.js';
import type { TestServer } from '../helpers/http-server.js';
import { simProxy } from '../helpers/proxy.js';
import { unusableList } from '../helpers/unusable-list.js';
import { pushedMeeting, pushingDaemon, wiredParticipant } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Review (stop 38): Scheduler.adopt (after a restart, the instances of restored alerts are polled
 * while the live list cannot be used) had no test with webhooks on. Here the daemon's own loop
 * runs on the simulator's virtual clock, the simulator's QSS pusher posting signed events after
 * each cycle. A meeting is listed and pushed; Ann's alert fires. The daemon stops; from then on
 * the live list has an entry it cannot use (no uuid); a new daemon on the same state.dir takes the pushes until PUSH_STOP,
 * then Zoom stops pushing while the meeting goes on. Its alert must neither resolve nor fire
 * again across the restart, and polling must take the meeting over once the pushes stop.
 */
const SECRET = 'restart-adopt-secret';
const MIN = 60_000;
const UUID = 'restart/adopt==';
/** webhooks.takeover_after */
const TAKEOVER = 2 * MIN;
const RESTART = 6;
const PUSH_STOP = 11;
const END = 20;

interface Run {
  events: PipelineEvent[];
  changes: AlertChange[];
}

/** A pushing daemon on `stateDir`, its own loop until minute `end`, pushing after each cycle up to `pushUntil`. */
async function run(
  h: SimHarness,
  proxy: TestServer,
  stateDir: string,
  end: number,
  pushUntil: number,
): Promise<Run> {
  const { daemon, events, pusher } = await pushingDaemon(
    { ...h, url: proxy.url },
    SECRET,
    TAKEOVER,
    {},
    (c) => {
      c.stateDir = stateDir;
    },
  );
  holdClockInCycles(daemon, h);
  const changes: AlertChange[] = [];
  daemon.onAlerts((c) => changes.push(...c));
  await runPushing(daemon, h, pusher, end, pushUntil);
  await daemon.close();
  return { events, changes };
}

/** daemon.run until minute `end`; after each cycle up to minute `pushUntil`, one push round (the clock held). */
async function runPushing(
  daemon: Daemon,
  h: SimHarness,
  pusher: QssPusher,
  end: number,
  pushUntil: number,
): Promise<void> {
  const stop = new AbortController();
  const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
  let pushing: Promise<void> = Promise.resolve();
  await daemon.run(stop.signal, () => {
    const now = h.clock.now();
    if (now >= T0 + end * MIN) return stop.abort();
    if (now > T0 + pushUntil * MIN) return;
    const release = h.clock.hold();
    pushing = pushing
      .then(async () => {
        await pusher.push();
        for (let i = 0; i < 100 && daemon.parts.webhooks!.spool.backlogBytes > 0; i++) await turn();
        for (let i = 0; i < 5; i++) await turn();
      })
      .finally(release);
  });
  await pushing;
}

describe('a restart with webhooks on, while the live list fails: restored alerts of a pushed meeting', () => {
  let h: SimHarness;
  let proxy: TestServer;
  let before: Run;
  let after: Run;
  const served: number[] = [];

  beforeAll(async () => {
    h = await startSim(
      {
        seed: 'push-restart-adopt',
        qos_window: '10m',
        meetings: [
          pushedMeeting(
            83000000038,
            UUID,
            'Adopted',
            wiredParticipant('ann', '200'),
            wiredParticipant('bob', '201'),
          ),
        ],
        episodes: [{ where: { participant: 'ann' }, from: '0m', to: '2h', any: { latency: '450ms' } }],
      },
      0,
    );
    h.sim.onServe = ({ instance, at }) => {
      if (instance.uuid === UUID) served.push((at - T0) / MIN);
    };
    const stateDir = mkdtempSync(join(tmpdir(), 'qw-restart-adopt-'));
    // From the restart on, the live list has an entry without a uuid: it cannot show every live
    // meeting, so it ends none and discovery is not complete (the restored alerts are adopted).
    proxy = await simProxy(h.url, {
      rewrite: (text, r) =>
        /\/metrics\/meetings\?/.test(r.path) && h.clock.now() >= T0 + RESTART * MIN
          ? unusableList(text)
          : text,
    });
    before = await run(h, proxy, stateDir, RESTART, RESTART);
    after = await run(h, proxy, stateDir, END, PUSH_STOP);
  }, 120_000);
  afterAll(async () => {
    await proxy.close();
    await h.close();
  });

  const ann = (r: Run): string[] =>
    r.changes.filter((c) => c.alert.context.participant === 'Ann').map((c) => c.state);

  it("Ann's alert fired before the restart", () => {
    expect(ann(before)).toEqual(['pending', 'firing']);
  });

  it('after it, neither resolves nor fires again, pushed or polled; the meeting does not end', () => {
    expect(ann(after)).toEqual([]);
    expect(after.events.filter((e) => e.type === 'ended')).toEqual([]);
  });

  it('is polled once adopted, then left to the pushes, and polled every cycle once they stop for takeover_after', () => {
    // The old code never polled it after the restart: a ghost to the push paths, it ended at 14.
    const adoptedAt = RESTART + TAKEOVER / MIN; // the first cycle's reconcile time
    expect(served.filter((m) => m > RESTART && m <= PUSH_STOP)).toEqual([adoptedAt + 1]);
    const takenOver = PUSH_STOP + TAKEOVER / MIN + 1;
    expect(served.filter((m) => m > PUSH_STOP)).toEqual(
      Array.from({ length: END - takenOver + 1 }, (_, i) => takenOver + i),
    );
  });
});
