import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import type { Notification } from '../../src/notify/plugins/notification.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, NOW } from '../helpers/alerts.js';
import { receiversOf, routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';

/**
 * A lane sorts its receiver's queue once per walk instead of once per send (a backlog of n cost
 * O(n² log n) a pass; the time is in test/bench/outbox-backlog.bench.ts). The order must not
 * change: 2,000 notifications queued out of time order, in 200 groups, some not yet due and
 * some answered 500, reach a real webhook receiver in exactly the order the rule gives (the
 * rule as the old code applied it, one pick per send): each time, the oldest due notification
 * not tried in this pass whose group has no earlier one still queued; equal times in queue order.
 */
interface Queued {
  id: string;
  group: string;
  createdAt: number;
  due: boolean;
  fails: boolean;
}

const N = 2000;
const queued: Queued[] = Array.from({ length: N }, (_, i) => ({
  id: `n${i}`,
  group: `g${(i * 31) % 200}`,
  createdAt: NOW - ((i * 7919) % 600), // out of queue order, with ties
  due: i % 50 !== 7,
  fails: i % 7 === 3,
}));

/** The rule, one pick at a time. */
function expectedOrder(items: readonly Queued[]): string[] {
  const queue = items.map((x, q) => ({ ...x, q })).sort((a, b) => a.createdAt - b.createdAt || a.q - b.q);
  const done = new Set<string>();
  const tried = new Set<string>();
  const order: string[] = [];
  for (;;) {
    const seen = new Set<string>();
    let next: Queued | undefined;
    for (const x of queue) {
      if (done.has(x.id) || seen.has(x.group)) continue;
      seen.add(x.group);
      if (x.due && !tried.has(x.id)) {
        next = x;
        break;
      }
    }
    if (!next) return order;
    tried.add(next.id);
    order.push(next.id);
    if (!next.fails) done.add(next.id);
  }
}

const failing = new Set(queued.filter((x) => x.fails).map((x) => x.id));
const hook = new TestServer((r, res) => {
  const id = String(r.headers['x-qoswatch-notification-id']);
  json(res, failing.has(id) ? 500 : 200, {});
});
beforeAll(async () => {
  await hook.listen();
});
afterAll(async () => hook.close());

describe('a backlog of 2,000 notifications', () => {
  it('goes out in the order the rule gives, one walk sorted once', async () => {
    const clock = new VirtualClock(NOW);
    const store = new NotifyStore(undefined);
    for (const x of queued) {
      const n: Notification = {
        id: x.id,
        receiver: 'hook',
        groupKey: x.group,
        groupLabels: {},
        kind: 'alert',
        firing: [alert({ participant: x.id })],
        resolved: [],
        createdAt: x.createdAt,
      };
      store.enqueue(n, x.due ? NOW : NOW + 60_000);
    }
    const ctx = { name: 'hook', clock, log: silentLogger(), memory: store.memory('hook') };
    const d = testDispatcher({
      route: routeAll('hook', { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 3_600_000 }),
      receivers: receiversOf({ hook: webhookNotifier.create({ url: `${hook.url}/hook` }, ctx) }),
      clock,
      store,
    });
    await d.tick();
    const order = hook.received.map((r) => String(r.headers['x-qoswatch-notification-id']));
    const expected = expectedOrder(queued);
    expect(expected.length).toBeGreaterThan(N / 4); // the case is not trivial:
    expect(expected.length).toBeLessThan(N); // some wait for a failed or not-due one
    expect(order).toEqual(expected);
    expect(d.stats.failed.get('hook')?.get('NOTIFY_SERVER_ERROR')).toBe(
      expected.filter((id) => failing.has(id)).length,
    );
  }, 120_000);
});
