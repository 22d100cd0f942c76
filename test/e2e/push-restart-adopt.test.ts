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
 * each cycle, a proxy rewriting the live list. A pushed meeting's alert (Ann's) fires; the daemon
 * stops; a new daemon on the same state.dir goes on with the pushes while the live list has an
 * entry it cannot use (no uuid). Ann's alert must neither resolve nor fire again.
 */
const SECRET = 'restart-adopt-secret';
const MIN = 60_000;
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

interface Restarted {
  before: Run;
  after: Run;
  /** The minutes the meeting's QoS list was served. */
  served: number[];
  close: () => Promise<void>;
}

/**
 * The meeting `uuid` (Ann's latency bad throughout), pushed, its daemon restarted at RESTART and
 * run to END, pushes to `pushUntil`; the live list's answer goes through `list` (at minute `m`).
 */
async function restarted(
  uuid: string,
  list: (text: string, m: number) => string,
  pushUntil: number,
): Promise<Restarted> {
  const h = await startSim(
    {
      seed: `push-restart-${uuid}`,
      qos_window: '10m',
      meetings: [pushedMeeting(83000000038, uuid, 'Adopted', wiredParticipant('ann', '200'))],
      episodes: [{ where: { participant: 'ann' }, from: '0m', to: '2h', any: { latency: '450ms' } }],
    },
    0,
  );
  const served: number[] = [];
  h.sim.onServe = ({ instance, at }) => {
    if (instance.uuid === uuid) served.push((at - T0) / MIN);
  };
  const proxy = await simProxy(h.url, {
    rewrite: (text, r) =>
      /\/metrics\/meetings\?/.test(r.path) ? list(text, (h.clock.now() - T0) / MIN) : text,
  });
  const stateDir = mkdtempSync(join(tmpdir(), 'qw-restart-adopt-'));
  const before = await run(h, proxy, stateDir, RESTART, RESTART);
  const after = await run(h, proxy, stateDir, END, pushUntil);
  const close = async (): Promise<void> => {
    await proxy.close();
    await h.close();
  };
  return { before, after, served, close };
}

const ann = (r: Run): string[] =>
  r.changes.filter((c) => c.alert.context.participant === 'Ann').map((c) => c.state);

/** The list's answer without the entry of `uuid`. */
function without(text: string, uuid: string): string {
  const answer = JSON.parse(text) as { meetings: { uuid?: string }[] };
  return JSON.stringify({ ...answer, meetings: answer.meetings.filter((e) => e.uuid !== uuid) });
}

describe('a listed meeting, the list unusable from the restart on, Zoom stopping its pushes at PUSH_STOP', () => {
  let r: Restarted;
  beforeAll(async () => {
    r = await restarted(
      'restart/adopt==',
      (text, m) => (m >= RESTART ? unusableList(text) : text),
      PUSH_STOP,
    );
  }, 120_000);

  it("Ann's alert fired before the restart; after it, neither resolves nor fires again; the meeting does not end", () => {
    expect(ann(r.before)).toEqual(['pending', 'firing']);
    // The old code: resolved as ended at minute 14, its pushes stopped for takeover_after.
    expect(ann(r.after)).toEqual([]);
    expect(r.after.events.filter((e) => e.type === 'ended')).toEqual([]);
  });

  it('is polled once adopted, then left to the pushes, and polled every cycle once they stop for takeover_after', () => {
    // The old code never polled it after the restart: a ghost to the push paths.
    const adoptedAt = RESTART + TAKEOVER / MIN; // the first cycle's reconcile time
    expect(r.served.filter((m) => m > RESTART && m <= PUSH_STOP)).toEqual([adoptedAt + 1]);
    const takenOver = PUSH_STOP + TAKEOVER / MIN + 1;
    expect(r.served.filter((m) => m > PUSH_STOP)).toEqual(
      Array.from({ length: END - takenOver + 1 }, (_, i) => takenOver + i),
    );
  });
});

describe('a meeting the list never shows (a ghost), the list unusable from the restart to USABLE, pushed throughout', () => {
  const GHOST = 'restart/ghost==';
  const USABLE = 12;
  let r: Restarted;
  beforeAll(async () => {
    r = await restarted(
      GHOST,
      (text, m) => (m >= RESTART && m < USABLE ? unusableList(without(text, GHOST)) : without(text, GHOST)),
      END,
    );
  }, 120_000);
  afterAll(() => r.close());

  it('the whole list that does not show it, while it is pushed, neither ends it nor resolves its alert', () => {
    expect(ann(r.before)).toEqual(['pending', 'firing']);
    // Adopting it, the commit before this one ended it at USABLE: resolved, then pending and firing again.
    expect(ann(r.after)).toEqual([]);
    expect(r.after.events.filter((e) => e.type === 'ended')).toEqual([]);
    // Polled once adopted; after the whole list, left to the pushes as the ghost it was.
    expect(r.served).toEqual([RESTART + TAKEOVER / MIN + 1]);
  });
});
