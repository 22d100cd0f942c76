import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { pushedMeeting, pushingDaemon, wiredParticipant } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';
import { post, zoomHeaders } from '../helpers/zoom-webhook.js';
import { zoomTime } from '../../src/util/zoom-time.js';

/**
 * Outside test (MEDIUM): Zoom retries an event it got no answer for at +5, +20 and +60 minutes.
 * A pushed sample from an hour ago, of a participant qoswatch had not seen, was taken as new:
 * "Late Larry's audio latency is 900 ms" fired (then resolved as ended 2 minutes later), in a
 * live meeting as for a meeting qoswatch never saw, which it made live. A pushed sample dated
 * more than `rules.gap_tolerance` (5 minutes here) before Zoom's clock is late: counted, never
 * judged live, and it makes no instance live (src/poll/stale.ts).
 */
const SECRET = 'old-push-secret';
const MIN = 60_000;
const NUMBER = 83300000001;
const LIVE = 'live/meeting==';
const ENDED = 'EndedAnHourAgo00000000==';
/** The scenario minute the tests run at: the meeting has been live for more than an hour. */
const NOW_MIN = 70;

let h: SimHarness;
let daemon: Daemon;
const changes: AlertChange[] = [];
const stop = new AbortController();

/** Late Larry's QoS event (join `late-1`) in `uuid`, his audio latency 900 ms, dated `at`. */
const larry = (uuid: string, at: number): string =>
  JSON.stringify({
    event: 'meeting.participant_qos',
    // Zoom's retry keeps the event_ts of its first sending.
    event_ts: at + 5_000,
    payload: {
      account_id: 'sim-account',
      object: {
        uuid,
        id: NUMBER,
        topic: 'Ended call',
        participant: {
          user_id: 'late-1',
          user_name: 'Late Larry',
          qos: [
            {
              date_time: zoomTime(at),
              type: 'audio_input',
              details: {
                bitrate: '63 kbps',
                latency: '900 ms',
                jitter: '6 ms',
                avg_loss: '0.0%',
                max_loss: '0.0%',
              },
            },
          ],
        },
      },
    },
  });

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
/** Posts `body` signed as Zoom now and waits until it is handed on. */
const push = async (body: string): Promise<void> => {
  const url = `${daemon.parts.webhooks!.url!}/zoom/qss`;
  expect((await post(url, body, zoomHeaders(SECRET, body, h.clock.now()))).status).toBe(200);
  for (let i = 0; i < 50 && daemon.parts.webhooks!.spool.backlogBytes > 0; i++) await turns(1);
  await turns(5);
};
/** The tester's four retries: minutes 60 to 57 before now. */
const retries = async (uuid: string): Promise<void> => {
  const now = Math.floor(h.clock.now() / MIN) * MIN;
  for (let k = 0; k < 4; k++) await push(larry(uuid, now - (60 - k) * MIN));
};
const cycle = async (): Promise<void> => {
  await daemon.parts.scheduler.cycle(stop.signal);
};
const larryChanges = (): AlertChange[] => changes.filter((c) => c.alert.context.participant === 'Late Larry');
const samples = (): Record<string, number> => daemon.parts.webhooks!.status(h.clock.now()).samples;
const instances = async (): Promise<{ uuid: string; path: string }[]> =>
  (
    (await (await fetch(`${daemon.url!}/api/v1/instances`)).json()) as {
      instances: { uuid: string; path: string }[];
    }
  ).instances;

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-old',
      qos_window: '10m',
      meetings: [pushedMeeting(NUMBER, LIVE, 'Live', wiredParticipant('ann', '200'))],
    },
    NOW_MIN * MIN,
  );
  ({ daemon } = await pushingDaemon(h, SECRET, 3 * MIN, {}));
  daemon.onAlerts((c) => changes.push(...c));
  await cycle();
}, 120_000);
afterAll(async () => {
  stop.abort();
  await daemon.close();
  await h.close();
});

describe("Zoom's retry, 60 minutes on, of QoS events qoswatch never got (outside test, MEDIUM)", () => {
  it('for a participant not seen yet in a live meeting: counted late, nothing fires', async () => {
    expect((await instances()).map((i) => [i.uuid, i.path])).toEqual([[LIVE, 'poll']]);
    await retries(LIVE);
    for (let m = 1; m <= 3; m++) {
      h.clock.advanceTo(T0 + (NOW_MIN + m) * MIN);
      await cycle();
    }
    expect(larryChanges()).toEqual([]);
    expect(samples()).toMatchObject({ new: 0, late: 4 });
    // Nothing live came by push: the meeting stays on the poll path.
    expect((await instances()).map((i) => [i.uuid, i.path])).toEqual([[LIVE, 'poll']]);
  });

  it('for a meeting qoswatch never saw: not made live, nothing fires', async () => {
    await retries(ENDED);
    await cycle();
    expect((await instances()).map((i) => i.uuid)).toEqual([LIVE]);
    expect(changes.filter((c) => c.alert.context.uuid === ENDED)).toEqual([]);
    expect(samples()).toMatchObject({ new: 0, late: 8 });
    expect(daemon.parts.scheduler.coverage.report(h.clock.now()).maxStalenessMs).toBeLessThan(10 * MIN);
  });

  it('a fresh push of the same participant still fires', async () => {
    const from = NOW_MIN + 4;
    // Pushes only, no poll cycle: a poll's list (Ann only: the simulator does not know Larry,
    // whom Zoom's list would show) would say he left.
    for (let m = from; m <= from + 3; m++) {
      h.clock.advanceTo(T0 + m * MIN);
      await push(larry(LIVE, T0 + m * MIN - 1_000));
    }
    expect(samples()).toMatchObject({ new: 4, late: 8 });
    const fired = larryChanges().filter((c) => c.state === 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.alert.context.uuid).toBe(LIVE);
    // Larry's pushes alone do not put the meeting on the push path: Ann, whom its last poll
    // listed, is not pushed (docs/webhooks.md).
    expect((await instances()).map((i) => [i.uuid, i.path])).toEqual([[LIVE, 'poll']]);
  });
});
