import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { ajv } from '../util/yaml-file.js';
import type { Clock } from '../util/clock.js';
import { durationMs } from '../util/duration.js';
import { Dispatcher, type DispatcherOptions, type Receiver } from './dispatcher.js';
import { ConfigMuter } from './mute.js';
import type { Notifier, NotifierPlugin } from './plugins/notifier.js';
import { consoleNotifier } from './plugins/console.js';
import { NOTIFIERS } from './registry.js';
import { compileRoute } from './route.js';
import type { Route } from './pipeline/routing.js';
import type { NotifierSettings, NotifySettings } from './settings.js';
import type { NotifyStore } from './pipeline/store.js';

export interface BuildDeps {
  clock: Clock;
  log: Logger;
  store: NotifyStore;
  /** Print what would be sent instead of sending. */
  dryRun?: boolean;
  /** Reads a report's body when its notification is sent (app/ wires the report store). */
  reportBody?: DispatcherOptions['reportBody'];
}

/** A user's notifier module: its default export (or `notifier` export) is a NotifierPlugin. */
async function loadModule(
  cfg: NotifierSettings,
): Promise<{ plugin: NotifierPlugin; options: Record<string, unknown> }> {
  const mod = (await import(pathToFileURL(cfg.module ?? '').href)) as {
    default?: NotifierPlugin;
    notifier?: NotifierPlugin;
  };
  const plugin = mod.default ?? mod.notifier;
  if (!plugin || typeof plugin.create !== 'function')
    throw new Error(
      `notifier "${cfg.name}": ${cfg.module ?? ''} exports no NotifierPlugin (default export with create())`,
    );
  const options = cfg.options ?? {};
  const validate = ajv().compile({
    type: 'object',
    properties: plugin.properties,
    required: plugin.required ?? [],
  });
  if (!validate(options))
    throw new Error(
      `notifier "${cfg.name}" options: ${validate.errors?.map((e) => `${e.instancePath || '(options)'} ${e.message ?? ''}`).join('; ') ?? ''}`,
    );
  return { plugin, options };
}

export async function createNotifier(
  cfg: NotifierSettings,
  deps: BuildDeps,
): Promise<{ notifier: Notifier; plugin: NotifierPlugin }> {
  const ctx = {
    name: cfg.name,
    clock: deps.clock,
    log: deps.log.child({ notifier: cfg.name }),
    memory: deps.store.memory(cfg.name),
  };
  const { plugin, options } =
    cfg.type === 'module'
      ? await loadModule(cfg)
      : { plugin: NOTIFIERS.find((p) => p.type === cfg.type)!, options: cfg };
  if (deps.dryRun)
    return { notifier: consoleNotifier.create({}, { ...ctx, name: `${cfg.name} (dry run)` }), plugin };
  return { notifier: plugin.create(options, ctx), plugin };
}

/** The routing tree of the config; the top route's receiver defaults to the first notifier. */
export function buildRoute(n: NotifySettings): Route {
  const first = n.notifiers[0]?.name ?? '';
  return compileRoute(
    { ...n.route, receiver: n.route.receiver ?? first },
    {
      receiver: first,
      groupBy: ['alertname', 'instance'],
      timing: { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3_600_000 },
    },
    durationMs,
  );
}

/** Builds the dispatcher from the config, or undefined when no notifier is configured. */
export async function buildDispatcher(
  config: { notify: NotifySettings; rules: { notifyLeftAndEnded: boolean } },
  deps: BuildDeps,
): Promise<Dispatcher | undefined> {
  const n = config.notify;
  if (!n.notifiers.length) return undefined;
  const receivers = new Map<string, Receiver>();
  for (const cfg of n.notifiers) {
    const { notifier, plugin } = await createNotifier(cfg, deps);
    const d = (k: 'group_wait' | 'group_interval' | 'repeat_interval'): number | undefined => {
      const v = cfg[k] ?? plugin.defaults?.[k];
      return v === undefined ? undefined : durationMs(v);
    };
    const rate = cfg.rate_limit;
    const timing: Receiver['timing'] = {};
    const gw = d('group_wait');
    const gi = d('group_interval');
    const ri = d('repeat_interval');
    if (gw !== undefined) timing.groupWaitMs = gw;
    if (gi !== undefined) timing.groupIntervalMs = gi;
    if (ri !== undefined) timing.repeatIntervalMs = ri;
    receivers.set(cfg.name, {
      notifier,
      sendResolved: cfg.send_resolved ?? true,
      timing,
      ...(rate ? { rateLimit: { max: rate.max, perMs: durationMs(rate.per) } } : {}),
    });
  }
  return new Dispatcher({
    route: buildRoute(n),
    receivers,
    muter: new ConfigMuter(n.silences, n.inhibitRules),
    clock: deps.clock,
    log: deps.log.child({ component: 'notify' }),
    store: deps.store,
    retry: {
      baseMs: n.delivery.retryInitialMs,
      capMs: n.delivery.retryMaxMs,
      giveUpAfterMs: n.delivery.giveUpAfterMs,
    },
    sendTimeoutMs: n.delivery.timeoutMs,
    notifyLeftAndEnded: config.rules.notifyLeftAndEnded,
    ...(deps.reportBody ? { reportBody: deps.reportBody } : {}),
  });
}
