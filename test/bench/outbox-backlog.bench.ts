import { bench, describe } from 'vitest';
import { ConfigMuter } from '../../src/notify/mute.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import type { Notification } from '../../src/notify/plugins/notification.js';
import type { Notifier } from '../../src/notify/plugins/notifier.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { compare } from './ratio.js';
import { printTreePeak } from './tree-peak.js';

// One delivery pass over a backlog: a receiver back after being down, with n notifications
// queued in 100 groups (out of time order, as retries leave them). The receiver answers at
// once (a stand-in that only counts), so what is timed is the outbox choosing what goes next;
// the store is in memory (no state dir), so no file write is timed either. The reference is
// the same n calls of the receiver, in queue order, without the outbox. Before the lane sorted
// its queue once per walk, it sorted the receiver's whole outbox once per send: O(n² log n).
const T = Date.parse('2026-01-01T10:00:00Z');
const GROUPS = 100;

printTreePeak('outbox-backlog.bench.ts');

function notification(i: number): Notification {
  return {
    id: `n${i}`,
    receiver: 'sink',
    groupKey: `g${(i * 31) % GROUPS}`,
    groupLabels: {},
    kind: 'alert',
    firing: [],
    resolved: [],
    createdAt: T - ((i * 7919) % 3600) * 1000,
  };
}

let calls = 0;
/** `refusing`: what the sink cannot reach (the stuck notification; every one: it is down). */
let refusing: 'none' | 'stuck' | 'all' = 'none';
const sink: Notifier = {
  name: 'sink',
  type: 'sink',
  send: (n) => {
    if (refusing === 'all' || (refusing === 'stuck' && n.id === 'stuck'))
      return Promise.reject(new Error('connect ECONNREFUSED')); // NOTIFY_NETWORK: down
    calls++;
    return Promise.resolve();
  },
};

/** A dispatcher whose outbox holds `n` notifications for `sink`, all due. */
function backlog(n: number, clock = new VirtualClock(T)): Dispatcher {
  const store = new NotifyStore(undefined);
  for (let i = 0; i < n; i++) store.enqueue(notification(i), T);
  return dispatcher(store, clock);
}

/**
 * A dispatcher in an outage, with one notification stuck: the sink was down (the outage began),
 * then is back for all but the oldest notification, which has failed to connect 3 times and is
 * passed over. Every delivery past it asks whether the outage is over (it is not: the stuck one
 * still failed as down). Before the outbox counted that per notifier, each such delivery walked
 * the whole outbox: O(n²) a pass.
 */
async function pastStuck(n: number): Promise<Dispatcher> {
  const clock = new VirtualClock(T);
  const store = new NotifyStore(undefined);
  store.enqueue({ ...notification(-1), id: 'stuck', groupKey: 'stuck', createdAt: T - 7_200_000 }, T);
  for (let i = 0; i < n; i++) store.enqueue(notification(i), T);
  const d = dispatcher(store, clock);
  refusing = 'all';
  for (let i = 0; i < 3; i++) {
    await d.tick(); // the stuck one fails (then passed over: the next group fails too)
    clock.advance(600_000);
  }
  refusing = 'stuck';
  return d;
}

function dispatcher(store: NotifyStore, clock: VirtualClock): Dispatcher {
  return new Dispatcher({
    route: {
      receiver: 'sink',
      test: () => true,
      continue: false,
      groupBy: [],
      timing: { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 3_600_000 },
      routes: [],
    },
    receivers: new Map([['sink', { notifier: sink, sendResolved: true, timing: {} }]]),
    muter: new ConfigMuter(),
    clock,
    log: silentLogger(),
    store,
    notifyLeftAndEnded: true,
    random: () => 0.5,
  });
}

describe('a delivery pass over a backlog', () => {
  bench(
    'n queued in 100 groups: the outbox / the same n calls of the receiver alone',
    async () => {
      for (const n of [1000, 4000]) {
        let d = backlog(n);
        const direct = Array.from({ length: n }, (_, i) => notification(i));
        await compare(
          `a pass over ${n} queued: dispatcher tick / ${n} sends without the outbox`,
          {
            setup: () => (d = backlog(n)),
            run: async () => {
              calls = 0;
              await d.tick();
              if (calls !== n || d.outboxDepth) throw new Error(`sent ${calls} of ${n}`);
            },
          },
          {
            run: async () => {
              for (const x of direct) await sink.send(x, new AbortController().signal);
            },
          },
          { rounds: 5, warmup: 1 },
        );
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );

  bench(
    'n queued, one stuck and passed over in an outage: the outbox / the same n calls of the receiver alone',
    async () => {
      for (const n of [4000, 16000]) {
        let d = await pastStuck(n);
        const direct = Array.from({ length: n }, (_, i) => notification(i));
        await compare(
          `a pass past a stuck one over ${n} queued: dispatcher tick / ${n} sends without the outbox`,
          {
            setup: async () => (d = await pastStuck(n)),
            run: async () => {
              calls = 0;
              await d.tick();
              if (calls !== n || d.outboxDepth !== 1) throw new Error(`sent ${calls} of ${n}`);
            },
          },
          {
            run: async () => {
              for (const x of direct) await sink.send(x, new AbortController().signal);
            },
          },
          { rounds: 5, warmup: 1 },
        );
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
