import type { Alert } from '../../src/evaluate/alert.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import type { RawRoute } from '../../src/config/raw.js';
import { Dispatcher, type Receiver } from '../../src/notify/dispatcher.js';
import type { RawInhibitRule, RawSilence } from '../../src/config/raw.js';
import { inhibitSettings, silenceSettings } from '../../src/config/silences.js';
import { ConfigMuter } from '../../src/notify/mute.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { compileRoute } from '../../src/notify/route.js';
import type { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';

export interface HookDispatcherOptions {
  /** The route as a config file gives it; its defaults: receiver hook, group_by `groupBy`. */
  route?: RawRoute;
  /** The top route's group_by when `route` does not say (default [alertname]). */
  groupBy?: string[];
  silences?: RawSilence[];
  inhibit?: RawInhibitRule[];
  rate?: { max: number; perMs: number };
  sendResolved?: boolean;
  store?: NotifyStore;
  /** How a firing alert reads now (the daemon's: the rule engine's `current`). */
  current?: (id: string) => Alert | undefined;
  /** A delivery attempt's time limit (the daemon's default otherwise). */
  sendTimeoutMs?: number;
}

/**
 * A dispatcher whose one receiver, `hook`, is the webhook notifier posting to `url`/hook, with
 * its state in `stateDir` (30 s group_wait, 5 min group_interval, 4 h repeat_interval).
 */
export function hookDispatcher(
  url: string,
  clock: VirtualClock,
  stateDir: string,
  opts: HookDispatcherOptions = {},
): Dispatcher {
  const store = opts.store ?? new NotifyStore(stateDir);
  const groupBy = opts.groupBy ?? ['alertname'];
  const receiver: Receiver = {
    notifier: webhookNotifier.create(
      { url: `${url}/hook` },
      { name: 'hook', clock, log: silentLogger(), memory: store.memory('hook') },
    ),
    sendResolved: opts.sendResolved ?? true,
    timing: {},
    ...(opts.rate ? { rateLimit: opts.rate } : {}),
  };
  return new Dispatcher({
    route: compileRoute(routeSettings({ receiver: 'hook', group_by: groupBy, ...opts.route }), {
      receiver: 'hook',
      groupBy,
      timing: { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 },
    }),
    receivers: new Map([['hook', receiver]]),
    muter: new ConfigMuter(opts.silences?.map(silenceSettings), opts.inhibit?.map(inhibitSettings)),
    clock,
    log: silentLogger(),
    store,
    retry: { baseMs: 1000, capMs: 60_000, giveUpAfterMs: 24 * 3_600_000 },
    notifyLeftAndEnded: true,
    random: () => 0.5,
    ...(opts.current ? { current: opts.current } : {}),
    ...(opts.sendTimeoutMs ? { sendTimeoutMs: opts.sendTimeoutMs } : {}),
  });
}
