import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { CycleReport } from '../../src/poll/scheduler.js';
import { pushedMeeting, pushedRun, wiredParticipant } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * A participant who joins a meeting on the push path and whom Zoom does not push (note 29, LOW:
 * nothing brought the meeting back to polling for them, so they went unwatched until someone
 * else's pushes stopped). Ann and Cy are pushed from minute 0; Dee joins at minute 3, never
 * pushed, with bad latency throughout. An instance on the push path is still polled once every
 * `webhooks.recheck_every` (10m here, the default): that poll lists Dee, whom no push covers, so
 * polling takes the meeting back and Dee's alert fires.
 */
const SECRET = 'push-recheck-secret';
const MIN = 60_000;
const END = 16;
const DEE = '412';

let h: SimHarness;
let daemon: Daemon;
let changes: AlertChange[];
let served: number[];
let reports: CycleReport[];

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-recheck',
      qos_window: '10m',
      meetings: [
        pushedMeeting(
          83000000041,
          'recheck==',
          'Recheck',
          wiredParticipant('ann', '410'),
          wiredParticipant('cy', '411'),
          // Dee joins at minute 3, after the first poll said who was there.
          { ...wiredParticipant('dee', DEE), join: '3m' },
        ),
      ],
      episodes: [{ where: { participant: 'dee' }, from: '0m', to: '1h', any: { latency: '450ms' } }],
    },
    0,
  );
  let run;
  ({
    daemon,
    changes,
    reports,
    served: run,
  } = await pushedRun(h, SECRET, (_inst, p) => p.key !== 'dee', END));
  served = run.get('recheck==') ?? [];
}, 120_000);
afterAll(async () => {
  await daemon.close();
  await h.close();
});

describe('a participant who joins a pushed meeting and is not pushed', () => {
  it('is found by the recheck poll at minute 10, which takes the meeting back to polling', () => {
    // Minute 0: who is there (Ann, Cy). Pushed whole from minute 1 to 9; polled at 10 (the
    // recheck), and every minute after it (Dee is not pushed).
    expect(served.filter((m) => m < 10)).toEqual([0]);
    expect(served.filter((m) => m >= 10)).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(reports.slice(1, 10).every((r) => r.pushed === 1 && r.callsSaved >= 1)).toBe(true);
  });

  it("fires Dee's latency alert from polls once the recheck found her", () => {
    const dee = changes.filter((c) => c.state === 'firing' && c.alert.labels.participant === DEE);
    expect(dee.map((c) => c.alert.rule)).toContain('audio-latency-high');
    expect(Math.min(...dee.map((c) => c.alert.firingSince!))).toBeGreaterThanOrEqual(T0 + 3 * MIN);
  });
});
