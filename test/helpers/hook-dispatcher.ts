import type { Logger } from 'pino';
import type { Alert } from '../../src/evaluate/alert.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import type { RawRoute } from '../../src/config/raw.js';
import { Dispatcher, type DispatcherOptions, type Receiver } from '../../src/notify/dispatcher.js';
import type { Notifier } from '../../src/notify/plugins/notifier.js';
import type { GroupTiming, Route } from '../../src/notify/pipeline/routing.js';
import type { RawInhibitRule, RawSilence } from '../../src/config/raw.js';
import { inhibitSettings, silenceSettings } from '../../src/config/silences.js';
import { ConfigMuter } from '../../src/notify/mute.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { compileRoute } from '../../src/notify/route.js';
import type { VirtualClock } from '../../src/util/clock.js';
import type { Timers } from '../../src/util/deadline.js';
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
  /** That limit's timer (ManualTimers: fired by the test). */
  timers?: Timers;
  /** Where the dispatcher logs (silent otherwise). */
  log?: Logger;
  /** `rules.notify_left_and_ended` (default true). */
  notifyLeftAndEnded?: boolean;
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
  return testDispatcher({
    route: compileRoute(routeSettings({ receiver: 'hook', group_by: groupBy, ...opts.route }), {
      receiver: 'hook',
      groupBy,
      timing: { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 },
    }),
    receivers: new Map([['hook', receiver]]),
    muter: new ConfigMuter(opts.silences?.map(silenceSettings), opts.inhibit?.map(inhibitSettings)),
    clock,
    store,
    ...(opts.current ? { current: opts.current } : {}),
    ...(opts.sendTimeoutMs ? { sendTimeoutMs: opts.sendTimeoutMs } : {}),
    ...(opts.timers ? { timers: opts.timers } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.notifyLeftAndEnded !== undefined ? { notifyLeftAndEnded: opts.notifyLeftAndEnded } : {}),
  });
}

/** A dispatcher as the tests build them: no silences, 1 s backoff doubling to 1 min, no jitter. */
export function testDispatcher(
  o: Pick<DispatcherOptions, 'route' | 'receivers' | 'clock' | 'store'> & Partial<DispatcherOptions>,
): Dispatcher {
  return new Dispatcher({
    muter: new ConfigMuter(),
    log: silentLogger(),
    retry: { baseMs: 1000, capMs: 60_000, giveUpAfterMs: 24 * 3_600_000 },
    notifyLeftAndEnded: true,
    random: () => 0.5,
    ...o,
  });
}

/** Receivers by name, each sending resolves, with the route's timing. */
export const receiversOf = (notifiers: Record<string, Notifier>): Map<string, Receiver> =>
  new Map(
    Object.entries(notifiers).map(([name, notifier]) => [name, { notifier, sendResolved: true, timing: {} }]),
  );

/** A route taking every alert, one group per participant, on to `routes` (each with `continue`). */
export const routeAll = (receiver: string, timing: GroupTiming, routes: Route[] = []): Route => ({
  receiver,
  test: () => true,
  continue: true,
  groupBy: ['participant'],
  timing,
  routes,
});
