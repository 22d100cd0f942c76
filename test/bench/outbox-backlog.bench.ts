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
const sink: Notifier = {
  name: 'sink',
  type: 'sink',
  send: () => {
    calls++;
    return Promise.resolve();
  },
};

/** A dispatcher whose outbox holds `n` notifications for `sink`, all due. */
function backlog(n: number): Dispatcher {
  const clock = new VirtualClock(T);
  const store = new NotifyStore(undefined);
  for (let i = 0; i < n; i++) store.enqueue(notification(i), T);
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
});
