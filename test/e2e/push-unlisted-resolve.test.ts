import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import { TestServer } from '../helpers/http-server.js';
import { webhookTo } from '../helpers/notifiers.js';
import { pushedMeeting, pushingDaemon, pushMinuteAndNotify, wiredParticipant } from '../helpers/push-e2e.js';
import { startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Issue 15 (outside test, HIGH): alerts that fired from pushes while discovery failed carried
 * `instance` = the UUID (Zoom's QoS pushes carry no meeting number); once discovery listed the
 * meeting their resolves carried the number, went to a notification group never notified, and
 * were dropped. Here discovery answers 503 for the first minutes while Zoom pushes, the alerts
 * fire, discovery recovers, then the breach ends: every alert notified firing is notified
 * resolved, once, in the group it fired in.
 */
const SECRET = 'unlisted-secret';
const MIN = 60_000;
const NUMBER = 83000000021;
const UUID = 'unlisted/uuid==';
/** Discovery fails until this minute; the breach lasts until BREACH_END. */
const DISCOVERY_BACK = 6;
const BREACH_END = 12;
const END = 22;

interface Body {
  group_labels: Record<string, string>;
  alerts: { id: string; status: string; labels: Record<string, string>; reason: string | null }[];
}

interface Run {
  h: SimHarness;
  daemon: Daemon;
  hook: TestServer;
  bodies: Body[];
  /** Minutes at whose end discovery had listed the meeting. */
  listedAt: number[];
  /** The minute the receiver got its first firing notification. */
  notifiedAt?: number;
}

const key = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).sort());

/**
 * The scenario pushed minute by minute (a poll cycle and a dispatcher round after each push);
 * with `leaver`, a fourth participant leaves at minute 1, and Zoom's push of that leave carries
 * the meeting's number and topic (its QoS pushes carry only the UUID).
 */
async function run(leaver: boolean): Promise<Run> {
  const h = await startSim(
    {
      seed: 'push-unlisted-resolve',
      qos_window: '10m',
      meetings: [
        pushedMeeting(
          NUMBER,
          UUID,
          'Unlisted',
          wiredParticipant('ann', '200'),
          wiredParticipant('bob', '201'),
          wiredParticipant('cat', '202'),
          ...(leaver ? [{ ...wiredParticipant('dan', '203'), leave: '1m' }] : []),
        ),
      ],
      episodes: [
        { where: { participant: 'ann' }, from: '1m', to: `${BREACH_END}m`, any: { latency: '450ms' } },
        { where: { participant: 'bob' }, from: '1m', to: `${BREACH_END}m`, any: { latency: '450ms' } },
        { where: { participant: 'cat' }, from: '1m', to: `${BREACH_END}m`, any: { latency: '450ms' } },
      ],
    },
    0,
  );
  // Discovery (the listing of live meetings) answers 503 until DISCOVERY_BACK.
  h.sim.faults.add({ kind: '503', path: '/metrics/meetings$', to: DISCOVERY_BACK * MIN });
  const hook = new TestServer();
  await hook.listen();
  const { daemon, pusher } = await pushingDaemon(h, SECRET, 60 * MIN, {}, (c) => {
    c.notify.notifiers = [webhookTo(`${hook.url}/hook`)];
    c.notify.route = routeSettings({ receiver: 'hook', group_wait: '5s', group_interval: '15s' });
  });
  await daemon.startNotifications();
  const stop = new AbortController();
  const listedAt: number[] = [];
  let notifiedAt: number | undefined;
  for (let m = 0; m <= END; m++) {
    await pushMinuteAndNotify(h, daemon, pusher, m, stop.signal);
    if (daemon.parts.scheduler.instances().some((i) => i.ref.uuid === UUID)) listedAt.push(m);
    if (notifiedAt === undefined && hook.received.some((x) => x.body.includes('"firing"'))) notifiedAt = m;
  }
  const bodies = hook.received.filter((r) => r.path === '/hook').map((r) => JSON.parse(r.body) as Body);
  return { h, daemon, hook, bodies, listedAt, ...(notifiedAt !== undefined ? { notifiedAt } : {}) };
}

/** Each alert notified firing: its first firing notification's group labels and its labels. */
function firings(bodies: Body[]): Map<string, { group: string; labels: Record<string, string> }> {
  const out = new Map<string, { group: string; labels: Record<string, string> }>();
  for (const b of bodies)
    for (const a of b.alerts)
      if (a.status === 'firing' && !out.has(a.id))
        out.set(a.id, { group: key(b.group_labels), labels: a.labels });
  return out;
}

describe.each([
  {
    leaver: false,
    instance: UUID,
    what: 'no pushed event carried the number: fired with the UUID as instance',
  },
  { leaver: true, instance: String(NUMBER), what: 'a pushed leave carried the number: fired with it' },
])(
  'alerts fired from pushes before discovery listed the meeting (issue 15): $what',
  ({ leaver, instance }) => {
    let r: Run;
    beforeAll(async () => {
      r = await run(leaver);
    }, 120_000);
    afterAll(async () => {
      await r.daemon.close();
      await r.hook.close();
      await r.h.close();
    });

    it('fired while discovery failed, and discovery listed the meeting afterwards', () => {
      const fired = [...firings(r.bodies).values()];
      expect(fired.length).toBeGreaterThanOrEqual(3);
      for (const f of fired) expect([f.labels.instance, f.labels.instance_uuid]).toEqual([instance, UUID]);
      const first = r.bodies.find((b) => b.alerts.some((a) => a.status === 'firing'))!;
      expect(first.group_labels.instance_uuid).toBe(UUID);
      // Notified before discovery came back.
      expect(r.bodies.indexOf(first)).toBeGreaterThanOrEqual(0);
      expect(r.listedAt[0]).toBe(DISCOVERY_BACK);
      expect(r.listedAt.at(-1)).toBe(END);
    });

    it('every alert notified firing is notified resolved once, in the group it fired in, with its labels', () => {
      const fired = firings(r.bodies);
      const resolved = new Map<string, { group: string; labels: string }[]>();
      for (const b of r.bodies)
        for (const a of b.alerts)
          if (a.status === 'resolved')
            resolved.set(a.id, [
              ...(resolved.get(a.id) ?? []),
              { group: key(b.group_labels), labels: key(a.labels) },
            ]);
      for (const [id, f] of fired)
        expect({ id, resolves: resolved.get(id) }).toEqual({
          id,
          resolves: [{ group: f.group, labels: key(f.labels) }],
        });
      expect([...resolved.keys()].sort()).toEqual([...fired.keys()].sort());
    });
  },
);
