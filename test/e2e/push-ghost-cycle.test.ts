import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { holdClockInCycles } from '../helpers/daemon.js';
import {
  BAD_DETAILS,
  pushedMeeting,
  pushingDaemon,
  qosEvent,
  runPushingAfterCycles,
} from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Issue 15 (outside test, HIGH): a ghost (a UUID Zoom pushes that discovery never lists) whose
 * pushes go on was resolved "ended" at the daemon's next poll cycle: the end-of-cycle
 * reconciliation took every instance discovery did not list as ended, so its alert went back
 * to pending at every cycle. Here the daemon's own loop runs (daemon.run on the virtual clock),
 * a signed push comes after every cycle: the ghost's alert fires and stays firing while pushed,
 * and resolves once, as ended, only once its pushes stop for takeover_after.
 */
const SECRET = 'ghost-cycle-secret';
const MIN = 60_000;
const TAKEOVER = 2 * MIN;
const GHOST = 'ghost/cycle==';
/** Pushes after the cycles of minutes 1..LAST_PUSH; then none. */
const LAST_PUSH = 8;
const END = LAST_PUSH + 6;

let h: SimHarness;
let daemon: Daemon;
const changes: { at: number; change: AlertChange }[] = [];

/** A signed-as-Zoom QoS event of the ghost's one participant, user 4242, for these minutes (all bad). */
const ghostEvent = (minutes: number[], now: number): string =>
  qosEvent(
    { id: 81234567890, uuid: GHOST, topic: 'Ghost' },
    { user_id: '4242', name: 'Ghost' },
    minutes,
    () => BAD_DETAILS,
    now,
  );

const ghostChanges = (): { at: number; change: AlertChange }[] =>
  changes.filter((c) => c.change.alert.context.uuid === GHOST);

/** The daemon's own loop until scenario minute `end`, a signed ghost push after the cycles of minutes `from`..LAST_PUSH. */
async function runPushing(daemon: Daemon, from: number, end: number, sim: SimHarness = h): Promise<void> {
  await runPushingAfterCycles(daemon, sim, SECRET, end, (m, now) => {
    if (m < from || m > LAST_PUSH) return [];
    const minutes = m === from ? [m - 3, m - 2, m - 1, m].filter((x) => x >= 0) : [m];
    return [ghostEvent(minutes, now)];
  });
}

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-ghost-cycle',
      qos_window: '10m',
      meetings: [
        pushedMeeting(83200000002, 'real/cycle==', 'Real', {
          key: 'ann',
          id: 'u-ann',
          user_id: '200',
          name: 'Ann',
        }),
      ],
    },
    0,
  );
  ({ daemon } = await pushingDaemon(h, SECRET, TAKEOVER, {}));
  holdClockInCycles(daemon, h);
  daemon.onAlerts((c) => changes.push(...c.map((change) => ({ at: h.clock.now(), change }))));
  await runPushing(daemon, 1, END);
}, 120_000);
afterAll(async () => {
  await h.close();
});

describe("a ghost's alert under the daemon's own poll loop (issue 15)", () => {
  it('fires and stays firing while its pushes go on, through every cycle', () => {
    const lastPushAt = T0 + LAST_PUSH * MIN;
    const fired = ghostChanges().filter((c) => c.change.state === 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBeLessThan(lastPushAt);
    // Never resolved (nor back to pending once fired) while pushed, nor before takeover_after after.
    const early = ghostChanges().filter((c) => c.at <= lastPushAt + TAKEOVER);
    expect(early.filter((c) => c.change.state === 'resolved')).toEqual([]);
    expect(early.filter((c) => c.change.state === 'pending' && c.at > fired[0]!.at)).toEqual([]);
  });

  it('resolves once, as ended, once its pushes stopped for takeover_after', () => {
    const resolved = ghostChanges().filter((c) => c.change.state === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.change.alert.reason).toBe('ended');
    expect(resolved[0]!.at).toBeGreaterThan(T0 + LAST_PUSH * MIN + TAKEOVER);
  });
});

describe('a firing ghost across a restart (issue 15)', () => {
  it('is not resolved by the first cycles after the restart while its pushes go on; ends by expiry', async () => {
    const h2 = await startSim(
      {
        seed: 'push-ghost-restart',
        qos_window: '10m',
        meetings: [{ id: 83200000003, uuid: 'real/restart==', topic: 'Real', start: '0m', end: '2h' }],
      },
      0,
    );
    try {
      const dir = mkdtempSync(join(tmpdir(), 'qw-ghost-restart-'));
      const seen: { at: number; change: AlertChange }[] = [];
      const started = async (): Promise<Daemon> => {
        const { daemon: d } = await pushingDaemon(h2, SECRET, TAKEOVER, {}, (c) => {
          c.stateDir = dir;
        });
        holdClockInCycles(d, h2);
        d.onAlerts((c) => seen.push(...c.map((change) => ({ at: h2.clock.now(), change }))));
        return d;
      };
      // First run: fired, then stopped (its state saved, as at SIGTERM).
      await runPushing(await started(), 1, 4, h2);
      const before = seen.filter((c) => c.change.alert.context.uuid === GHOST);
      expect(before.map((c) => c.change.state)).toContain('firing');
      expect(before.map((c) => c.change.state)).not.toContain('resolved');
      const restartAt = h2.clock.now();
      // Second run on the same state, the pushes going on after a short gap.
      await runPushing(await started(), 5, END, h2);
      const after = seen.filter((c) => c.change.alert.context.uuid === GHOST && c.at >= restartAt);
      const resolved = after.filter((c) => c.change.state === 'resolved');
      expect(resolved.map((c) => c.change.alert.reason)).toEqual(['ended']);
      expect(resolved[0]!.at).toBeGreaterThan(T0 + LAST_PUSH * MIN + TAKEOVER);
    } finally {
      await h2.close();
    }
  });
});
