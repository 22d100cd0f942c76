import { afterEach, beforeEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher, DispatcherOptions } from '../../src/notify/dispatcher.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import type { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { receiversOf, routeAll, testDispatcher } from './hook-dispatcher.js';
import { TestServer } from './http-server.js';
import type { ManualTimers } from './manual-timers.js';

/**
 * A real webhook that never answers the notifications of the participant it hangs on (`hangOn`;
 * `*`: every one, the receiver down; anything else: none), answers `failStatus` (503) to those
 * of the participant in `failOn` (`*`: every one), and 200 to the others, kept as
 * `participant:status` in `delivered`. `held` counts the requests left unanswered (the send
 * timeout ends them).
 */
export class HangingHook extends TestServer {
  held = 0;
  hangOn = 'p1';
  failOn = '';
  failStatus = 503;
  readonly delivered: string[] = [];

  constructor() {
    super();
    this.reply = (r, res) => {
      const body = JSON.parse(r.body) as { status: string; alerts: { labels: { participant: string } }[] };
      const who = body.alerts.map((a) => a.labels.participant).join(',');
      if (this.hangOn === '*' || who === this.hangOn) {
        this.held++;
        return; // never answers
      }
      if (this.failOn === '*' || who === this.failOn) {
        res.writeHead(this.failStatus).end('{}');
        return;
      }
      this.delivered.push(`${who}:${body.status}`);
      res.end('{}');
    };
  }
}

/**
 * A dispatcher whose one notifier, `hook`, posts to `hook`: one group per participant, sent at
 * once; a 30 s send timeout that `timers` fire. `opts` adds to or replaces testDispatcher's.
 */
export function dispatcherTo(
  hook: HangingHook,
  clock: VirtualClock,
  timers: ManualTimers,
  opts: Partial<DispatcherOptions> = {},
): Dispatcher {
  const store = new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-hanging-hook-')));
  return testDispatcher({
    route: routeAll('hook', { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000 }),
    receivers: receiversOf({
      hook: webhookNotifier.create(
        { url: `${hook.url}/hook` },
        { name: 'hook', clock, log: silentLogger(), memory: store.memory('hook') },
      ),
    }),
    clock,
    store,
    sendTimeoutMs: 30_000,
    timers,
    ...opts,
  });
}

/**
 * A HangingHook listening for each test of the file (hanging on `hangOn`: see HangingHook), closed
 * after it; `use` is given each test's hook.
 */
export function hangingHookEach(hangOn: string, use: (hook: HangingHook) => void): void {
  let hook: HangingHook | undefined;
  beforeEach(async () => {
    hook = new HangingHook();
    hook.hangOn = hangOn;
    use(hook);
    await hook.listen();
  });
  afterEach(async () => hook?.close());
}
