import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import type { QssPusher } from '../../src/simulator/qss-pusher.js';
import { TestServer } from '../helpers/http-server.js';
import { webhookTo } from '../helpers/notifiers.js';
import { pushedMeeting, pushingDaemon, wiredParticipant } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

const SECRET = 'handoff-secret';
const MIN = 60_000;
const END = 12;

let h: SimHarness;
let daemon: Daemon;
let pusher: QssPusher;
let hook: TestServer;
/** Minutes at which the simulator served a QoS list or a listing to a poll. */
const served: number[] = [];
/** The scenario minute at which the notification receiver got its first firing notification. */
let notifiedAt: number | undefined;
let firingAt: number | undefined;

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-handoff',
      qos_window: '10m',
      meetings: [pushedMeeting(83000000011, 'handoff==', 'Handoff', wiredParticipant('ann', '200'))],
      episodes: [{ where: { participant: 'ann' }, from: '2m', to: '40m', any: { latency: '450ms' } }],
    },
    0,
  );
  hook = new TestServer();
  await hook.listen();
  ({ daemon, pusher } = await pushingDaemon(h, SECRET, 60 * MIN, {}, (c) => {
    c.notify.notifiers = [webhookTo(`${hook.url}/hook`)];
    c.notify.route = routeSettings({ receiver: 'hook', group_by: ['alertname'], group_wait: '0s' });
  }));
  await daemon.startNotifications();
  daemon.onAlerts((changes) => {
    if (firingAt === undefined && changes.some((c) => c.state === 'firing'))
      firingAt = Math.round((h.clock.now() - T0) / MIN);
  });
  const stop = new AbortController();
  // One poll cycle at minute 0 (discovery lists the meeting); after it, pushes only: the poll
  // interval may be minutes long, and no cycle runs in this test after minute 0.
  h.clock.advanceTo(T0);
  await daemon.parts.scheduler.cycle(stop.signal);
  h.sim.onServe = ({ at }) => served.push(Math.round((at - T0) / MIN));
  for (let m = 1; m <= END && notifiedAt === undefined; m++) {
    h.clock.advanceTo(T0 + m * MIN);
    await pusher.push();
    for (let i = 0; i < 50 && daemon.parts.webhooks!.spool.backlogBytes > 0; i++) await turns(1);
    // The commit after a batch may wait its short gap on the (virtual) clock.
    await turns(10);
    // One delivery round of the dispatcher, as its own loop does: no poll cycle involved.
    await daemon.parts.dispatcher!.tick(stop.signal);
    if (hook.received.some((r) => r.body.includes('"firing"'))) notifiedAt = m;
  }
}, 60_000);

afterAll(async () => {
  await daemon.close();
  await hook.close();
  await h.close();
});

describe('alerts from pushed data reach the dispatcher without waiting for a poll cycle', () => {
  it('delivers the firing notification in the minute the pushes made it fire, with no poll cycle after minute 0', async () => {
    expect(firingAt).toBeDefined();
    expect(notifiedAt).toBe(firingAt);
    expect(served).toEqual([]);
    const metrics = await (await fetch(`${daemon.url!}/metrics`)).text();
    // Every QoS record's receive-to-dispatcher time was observed, ending at the commit.
    expect(metrics).toMatch(/^qoswatch_webhook_handoff_seconds_count [1-9]\d*$/m);
  });
});
