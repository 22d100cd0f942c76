import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { debianBinary } from '../helpers/binaries.js';
import { pushingDaemon } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';
import { post, zoomHeaders } from '../helpers/zoom-webhook.js';
import { zoomTime } from '../../src/util/zoom-time.js';

/** promtool as found on PATH (a machine may have it elsewhere than Debian's /usr/bin). */
const promtool = debianBinary('promtool', 'prometheus');

/**
 * Issue 15: a "ghost", a UUID Zoom pushes QoS for that discovery never lists, here carrying the
 * number of a meeting that is live and polled (a recurring meeting's other instance would too).
 * (1) Its series never collide with the live meeting's: the UUID is the instance's identity
 * (`instance_uuid`); with participant series on, the same meeting number made 27 duplicate
 * series. (2) Once its pushes stop for `takeover_after`, it ends: its alerts resolve, and it
 * leaves /api/v1/instances and every /metrics series (it stayed there as "path":"poll").
 */
const SECRET = 'ghost-secret';
const MIN = 60_000;
const TAKEOVER = 3 * MIN;
const NUMBER = 83200000001;
const REAL = 'real/meeting==';
const GHOST = 'ghost+uuid==';
/** Ghost pushes at minutes 1..LAST_PUSH; then none. */
const LAST_PUSH = 5;

let h: SimHarness;
let daemon: Daemon;
const changes: AlertChange[] = [];
const stop = new AbortController();

const details = { bitrate: '60 kbps', latency: '450 ms', jitter: '5 ms', avg_loss: '0.0%', max_loss: '0.0%' };
/** A signed-as-Zoom QoS event of the ghost's one participant for scenario minute `m`. */
const ghostEvent = (m: number): string =>
  JSON.stringify({
    event: 'meeting.participant_qos',
    event_ts: T0 + m * MIN,
    payload: {
      account_id: 'sim-account',
      object: {
        id: NUMBER,
        uuid: GHOST,
        topic: 'Ghost',
        participant: {
          user_id: '900',
          participant_user_id: 'u-ghost',
          user_name: 'Ghost',
          email: 'ghost@example.com',
          qos: ['audio_input', 'audio_output'].map((type) => ({
            date_time: zoomTime(T0 + m * MIN),
            type,
            details,
          })),
        },
      },
    },
  });

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
const get = async (path: string): Promise<string> => (await fetch(`${daemon.url!}${path}`)).text();
const instances = async (): Promise<{ uuid: string; path: string }[]> =>
  (JSON.parse(await get('/api/v1/instances')) as { instances: { uuid: string; path: string }[] }).instances;
/** Series (name and labels) that appear more than once in a scrape. */
const duplicates = (text: string): string[] => {
  const seen = new Map<string, number>();
  for (const line of text.split('\n'))
    if (line && !line.startsWith('#')) {
      const series = line.slice(0, line.lastIndexOf(' '));
      seen.set(series, (seen.get(series) ?? 0) + 1);
    }
  return [...seen].filter(([, n]) => n > 1).map(([s]) => s);
};
const minute = async (m: number): Promise<void> => {
  h.clock.advanceTo(T0 + m * MIN);
  if (m >= 1 && m <= LAST_PUSH) {
    const body = ghostEvent(m);
    expect(
      (await post(daemon.parts.webhooks!.url! + '/zoom/qss', body, zoomHeaders(SECRET, body, h.clock.now())))
        .status,
    ).toBe(200);
    for (let i = 0; i < 50 && daemon.parts.webhooks!.spool.backlogBytes > 0; i++) await turns(1);
    await turns(5);
  }
  await daemon.parts.scheduler.cycle(stop.signal);
};

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-ghost',
      qos_window: '10m',
      meetings: [
        {
          id: NUMBER,
          uuid: REAL,
          topic: 'Real',
          start: '0m',
          end: '2h',
          participants: [{ key: 'ann', id: 'u-ann', user_id: '200', name: 'Ann' }],
          crowd: { count: 3, prefix: 'r-', join: '0m', muted_share: 0 },
        },
      ],
    },
    0,
  );
  ({ daemon } = await pushingDaemon(h, SECRET, TAKEOVER, {}, (c) => {
    c.metrics.participantSeries = true;
  }));
  daemon.onAlerts((c) => changes.push(...c));
  for (let m = 0; m <= LAST_PUSH; m++) await minute(m);
}, 120_000);
afterAll(async () => {
  stop.abort();
  await daemon.close();
  await h.close();
});

const ghostChanges = (): AlertChange[] => changes.filter((c) => c.alert.context.uuid === GHOST);

describe('a pushed UUID discovery never lists, carrying a live meeting number (issue 15)', () => {
  it('while pushed: shown beside the live meeting, on the push path, with series of its own', async () => {
    expect((await instances()).map((i) => [i.uuid, i.path]).sort()).toEqual([
      [GHOST, 'push'],
      [REAL, 'poll'],
    ]);
    const text = await get('/metrics');
    expect(duplicates(text)).toEqual([]);
    expect(text).toContain(
      `qoswatch_instance_participants{kind="meeting",instance_id="${NUMBER}",instance_uuid="${GHOST}"} 1`,
    );
    expect(text).toContain(
      `qoswatch_instance_participants{kind="meeting",instance_id="${NUMBER}",instance_uuid="${REAL}"} 4`,
    );
    expect(text).toContain(
      `qoswatch_instance_qos_path{kind="meeting",instance_id="${NUMBER}",instance_uuid="${GHOST}",path="push"} 1`,
    );
    expect(text).toMatch(
      new RegExp(
        `^qoswatch_participant_latency_seconds\\{[^}]*instance_uuid="${GHOST.replace('+', '\\+')}",participant="900"`,
        'm',
      ),
    );
    // Its alert fired from its pushes.
    expect(ghostChanges().some((c) => c.state === 'firing')).toBe(true);
  });

  it.runIf(promtool)('passes promtool check metrics', async () => {
    const r = spawnSync(promtool!, ['check', 'metrics'], {
      input: await get('/metrics'),
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('still there at takeover_after after its last push', async () => {
    for (let m = LAST_PUSH + 1; m <= LAST_PUSH + TAKEOVER / MIN; m++) await minute(m);
    expect((await instances()).map((i) => i.uuid).sort()).toEqual([GHOST, REAL].sort());
    expect(ghostChanges().some((c) => c.state === 'resolved')).toBe(false);
  });

  it('ended once its pushes stopped for longer: gone from /api/v1/instances and /metrics, its alert resolved once', async () => {
    h.clock.advance(1);
    expect((await instances()).map((i) => [i.uuid, i.path])).toEqual([[REAL, 'poll']]);
    const text = await get('/metrics');
    expect(text).not.toContain(GHOST);
    expect(text).toContain(`instance_uuid="${REAL}"`);
    expect((await fetch(`${daemon.url!}/api/v1/instances/${encodeURIComponent(GHOST)}`)).status).toBe(404);
    const resolved = ghostChanges().filter((c) => c.state === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.alert.reason).toBe('ended');
    // Polling goes on for the live meeting; nothing counted as taken back.
    await minute(LAST_PUSH + TAKEOVER / MIN + 1);
    expect(daemon.parts.scheduler.pushes.paths.takeovers).toBe(0);
    expect((await instances()).map((i) => i.uuid)).toEqual([REAL]);
  });
});
