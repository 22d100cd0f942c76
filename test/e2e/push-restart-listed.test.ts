import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { annLeftOut } from '../helpers/left-out-list.js';
import type { Spool } from '../../src/poll/webhooks/spool.js';
import type { QssPusher } from '../../src/simulator/qss-pusher.js';
import { pushingDaemon } from '../helpers/push-e2e.js';
import { T0, type SimHarness } from '../helpers/sim.js';
import { zoomHeaders } from '../helpers/zoom-webhook.js';

/**
 * A restart while Zoom pushes a participant its QoS list leaves out (hT44 F6, MEDIUM). Zoom
 * pushes Ann, not Bob, so the meeting is polled every minute; from minute 5 its QoS list
 * (through a real proxy) lacks Ann while her pushes go on, and her latency alert stays firing
 * (docs/webhooks.md: a participant pushed within gap_tolerance is not gone because a poll
 * missed them). At minute 8, with that minute's pushes just taken in, the daemon stops (as at
 * SIGTERM) or dies (a SIGKILL: its state directory copied at that instant is what the next
 * start finds), and a new daemon starts on the state it left and polls at once, before any new
 * push. Before, the times of Ann's pushes lived in memory only: that first poll took her as
 * gone (her alert resolved `left`) and her next push fired it again. Now they are kept in
 * state.dir/webhooks/pushed.json: the restart neither resolves nor repeats her alert.
 */
const SECRET = 'restart-listed-secret';
const MIN = 60_000;
const ANN = '320';
const LEFT_OUT_FROM = 5;
const RESTART = 8;
const END = 12;

/** How the first daemon goes: a stop, or a kill at one of three instants of its last push round. */
type Stop = 'stop' | 'kill after the answers' | 'kill after the hand-on' | 'kill after the spool’s save';

let h: SimHarness;
const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close().catch(() => undefined);
});

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * The daemon's own loop (it commits the alert state after each cycle, as `qoswatch run`) until
 * minute `until`: after each cycle, what Zoom pushes since the last is posted, signed, the clock
 * held until it is taken in. At `until`, `last` is called after the answers (with the spool and
 * a wait for the hand-on), then the loop stops (a stop saves everything).
 */
async function runPushing(
  d: { daemon: Daemon; pusher: QssPusher },
  until: number,
  last: (spool: Spool, handedOn: () => Promise<void>) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const stop = new AbortController();
  const webhooks = d.daemon.parts.webhooks!;
  const url = `${webhooks.url!}/zoom/qss`;
  const handedOn = async (): Promise<void> => {
    for (let i = 0; i < 50 && webhooks.spool.backlogBytes > 0; i++) await turn();
    for (let i = 0; i < 10; i++) await turn();
  };
  let pushing: Promise<void> = Promise.resolve();
  await d.daemon.run(stop.signal, () => {
    const now = h.clock.now();
    const release = h.clock.hold();
    pushing = pushing
      .then(async () => {
        for (const body of d.pusher.due(now)) {
          const res = await fetch(url, { method: 'POST', headers: zoomHeaders(SECRET, body, now), body });
          if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`);
        }
        if (now < T0 + until * MIN) return handedOn();
        await last(webhooks.spool, handedOn);
        stop.abort();
      })
      .finally(release);
  });
  await pushing;
}
const annOf = (changes: AlertChange[], rule: string): string[] =>
  changes.filter((c) => c.alert.labels.participant === ANN && c.alert.rule === rule).map((c) => c.state);

async function restartWhilePushed(stop: Stop): Promise<{
  before: AlertChange[];
  after: AlertChange[];
  leftOut: number[];
  daemon: Daemon;
}> {
  const listed = await annLeftOut(
    'push-restart-listed',
    { id: 83000000041, uuid: 'restart-listed==', topic: 'Restart listed' },
    { ann: ANN, bob: '321' },
    (minute) => minute >= LEFT_OUT_FROM,
  );
  h = listed.h;
  const { proxy, leftOut } = listed;
  open.push(() => h.close());
  open.push(() => proxy.close());
  const dir = mkdtempSync(join(tmpdir(), 'qw-restart-listed-'));
  const start = async (stateDir: string) => {
    const started = await pushingDaemon(
      h,
      SECRET,
      3 * MIN,
      { onlyParticipants: (_i, p) => p.key === 'ann' },
      (c) => {
        c.zoom!.apiUrl = proxy.url;
        c.zoom!.oauthUrl = `${proxy.url}/oauth/token`;
        c.stateDir = stateDir;
      },
    );
    open.push(async () => {
      await started.daemon.close();
    });
    const changes: AlertChange[] = [];
    started.daemon.onAlerts((c) => changes.push(...c));
    return { ...started, changes };
  };

  const a = await start(dir);
  let after = dir;
  const copy = (): void => {
    after = mkdtempSync(join(tmpdir(), 'qw-restart-listed-killed-'));
    cpSync(dir, after, { recursive: true });
  };
  await runPushing(a, RESTART, async (spool, handedOn) => {
    // Minute 8: Zoom's pushes are answered; the daemon goes at one instant of taking them in.
    if (stop === 'kill after the answers') {
      copy();
      return;
    }
    await handedOn();
    if (stop === 'kill after the hand-on') {
      copy();
      return;
    }
    // The done offset and what must reach the disk before it, as the spool's timer writes them.
    if (stop === 'kill after the spool’s save') {
      await spool.close();
      copy();
    }
  });

  h.clock.advanceTo(T0 + RESTART * MIN + 30_000);
  const b = await start(after);
  // The run's first poll comes before any new push (hT44: 1 s after "qoswatch running").
  await runPushing(b, END);
  return { before: a.changes, after: b.changes, leftOut, daemon: b.daemon };
}

describe('a restart while a pushed participant is left out of the QoS list', () => {
  for (const stop of [
    'stop',
    'kill after the answers',
    'kill after the hand-on',
    'kill after the spool’s save',
  ] as const)
    it(`${stop}: her alert neither resolves nor fires again`, async () => {
      const { before, after, leftOut, daemon } = await restartWhilePushed(stop);
      // The case happens: polls before and after the restart leave Ann out.
      expect(leftOut).toEqual(Array.from({ length: END - LEFT_OUT_FROM + 1 }, (_, i) => LEFT_OUT_FROM + i));
      expect(annOf(before, 'audio-latency-high')).toEqual(['pending', 'firing']);
      // Old code: ['resolved', 'pending', 'firing'] (resolved `left` at the first poll).
      expect(after.filter((c) => c.alert.labels.participant === ANN).map((c) => c.state)).toEqual([]);
      const id = before.find((c) => c.alert.labels.participant === ANN && c.state === 'firing')!.alert.id;
      expect(daemon.parts.engine.current(id)?.state).toBe('firing');
    }, 120_000);
});
