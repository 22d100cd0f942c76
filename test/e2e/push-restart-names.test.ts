import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import type { QssPusher } from '../../src/simulator/qss-pusher.js';
import { TestServer } from '../helpers/http-server.js';
import { webhookTo } from '../helpers/notifiers.js';
import { pushedMeeting, pushingDaemon, pushMinuteAndNotify, wiredParticipant } from '../helpers/push-e2e.js';
import { startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Issue 15 (outside test, MEDIUM): a restart forgot a pushed meeting's number and topic until
 * discovery answered again (Zoom's QoS pushes carry only the UUID). An alert that fired with
 * `instance=<number>` and its topic resolved after the restart as `in ""`, and a new alert of the
 * same meeting fired with `instance=<UUID>`, in another notification group. Here a daemon learns
 * the meeting from discovery while Zoom pushes, Ann's alert fires; the daemon stops, discovery
 * answers 503 from then on, a new daemon on the same state.dir takes the pushes: Ann's resolve and
 * Bob's new alert carry the number and the topic, Bob's in the group Ann's fired in.
 */
const SECRET = 'restart-names-secret';
const MIN = 60_000;
const NUMBER = 83000000071;
const UUID = 'restart/names==';
const TOPIC = 'Weekly sync RN';
const RESTART = 6;
const END = 20;

interface Body {
  group_labels: Record<string, string>;
  alerts: {
    id: string;
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[];
}

async function minutes(
  h: SimHarness,
  daemon: Daemon,
  pusher: QssPusher,
  from: number,
  to: number,
): Promise<void> {
  const stop = new AbortController();
  for (let m = from; m <= to; m++) await pushMinuteAndNotify(h, daemon, pusher, m, stop.signal);
}

describe('a restart keeps what qoswatch learned of a pushed meeting (issue 15)', () => {
  let h: SimHarness;
  let hook: TestServer;
  let daemon: Daemon;
  let bodies: Body[];

  beforeAll(async () => {
    h = await startSim(
      {
        seed: 'push-restart-names',
        qos_window: '10m',
        meetings: [
          pushedMeeting(
            NUMBER,
            UUID,
            TOPIC,
            wiredParticipant('ann', '200'),
            wiredParticipant('bob', '201'),
            wiredParticipant('cat', '202'),
          ),
        ],
        episodes: [
          { where: { participant: 'ann' }, from: '1m', to: '8m', any: { latency: '450ms' } },
          { where: { participant: 'bob' }, from: '11m', to: `${END}m`, any: { latency: '450ms' } },
        ],
      },
      0,
    );
    hook = new TestServer();
    await hook.listen();
    const stateDir = mkdtempSync(join(tmpdir(), 'qw-restart-names-'));
    const start = async (): Promise<{ daemon: Daemon; pusher: QssPusher }> => {
      const r = await pushingDaemon(h, SECRET, 60 * MIN, {}, (c) => {
        c.stateDir = stateDir;
        c.notify.notifiers = [webhookTo(`${hook.url}/hook`)];
        c.notify.route = routeSettings({
          receiver: 'hook',
          group_by: ['alertname', 'instance'],
          group_wait: '5s',
          group_interval: '15s',
        });
      });
      await r.daemon.startNotifications();
      return r;
    };
    let r = await start();
    await minutes(h, r.daemon, r.pusher, 0, RESTART - 1);
    await r.daemon.close();
    // Discovery (the listing of live meetings) answers 503 from the restart on.
    h.sim.faults.add({ kind: '503', path: '/metrics/meetings$' });
    r = await start();
    daemon = r.daemon;
    await minutes(h, daemon, r.pusher, RESTART, END);
    bodies = hook.received.filter((x) => x.path === '/hook').map((x) => JSON.parse(x.body) as Body);
  }, 120_000);
  afterAll(async () => {
    await daemon.close();
    await hook.close();
    await h.close();
  });

  const notified = (
    who: string,
    status: string,
  ): { group: Record<string, string>; alert: Body['alerts'][number] }[] =>
    bodies.flatMap((b) =>
      b.alerts
        .filter(
          (a) =>
            a.status === status &&
            a.labels.participant === who &&
            a.labels.alertname === 'audio-latency-high',
        )
        .map((alert) => ({ group: b.group_labels, alert })),
    );

  it("Ann's alert fired before the restart with the number and topic", () => {
    const fired = notified('200', 'firing');
    expect(fired.length).toBeGreaterThan(0);
    expect(fired[0]!.alert.labels.instance).toBe(String(NUMBER));
    expect(fired[0]!.alert.annotations.summary).toContain(`in "${TOPIC}"`);
  });

  it("Ann's resolve after the restart says the topic, with the labels it fired with", () => {
    const resolved = notified('200', 'resolved');
    expect(
      resolved.map((r) => [r.alert.labels.instance, r.alert.annotations.summary?.includes(`"${TOPIC}"`)]),
    ).toEqual([[String(NUMBER), true]]);
  });

  it("Bob's alert, new after the restart, fires with the number and topic in Ann's group", () => {
    const fired = notified('201', 'firing');
    expect(fired.length).toBeGreaterThan(0);
    expect(fired[0]!.alert.labels.instance).toBe(String(NUMBER));
    expect(fired[0]!.alert.annotations.summary).toContain(`in "${TOPIC}"`);
    expect(fired[0]!.group).toEqual(notified('200', 'firing')[0]!.group);
    // Discovery never answered after the restart: the names came from state.dir.
    expect(daemon.parts.scheduler.instances()).toEqual([]);
  });
});
