import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { FileInvalidError, type FileProblem } from '../util/file-errors.js';
import { validator } from '../util/validators.js';
import { schemaProblems } from '../util/yaml-file.js';
import type { Clock } from '../util/clock.js';
import { durationMs } from '../util/duration.js';
import { Dispatcher, type DispatcherOptions, type Receiver } from './dispatcher.js';
import { ConfigMuter } from './mute.js';
import type { Notifier, NotifierPlugin } from './plugins/notifier.js';
import { consoleNotifier } from './plugins/console.js';
import { createBuiltIn } from './registry.js';
import { compileRoute } from './route.js';
import type { GroupTiming, Route } from './pipeline/routing.js';
import {
  DELIVERY_DEFAULTS,
  type ModuleNotifierSettings,
  type NotifierSettings,
  type NotifySettings,
} from './settings.js';
import type { NotifyStore } from './pipeline/store.js';

export interface BuildDeps {
  clock: Clock;
  log: Logger;
  store: NotifyStore;
  /** `delivery.timeout`: notifiers with timers of their own set them from it. */
  timeoutMs?: number;
  /** Print what would be sent instead of sending. */
  dryRun?: boolean;
  /** Reads a report's body when its notification is sent (app/ wires the report store). */
  reportBody?: DispatcherOptions['reportBody'];
  /** How a firing alert reads now, for reminders (app/ wires the rule engine). */
  current?: DispatcherOptions['current'];
}

/** A user's notifier module: its default export (or `notifier` export) is a NotifierPlugin. */
async function loadModule(cfg: ModuleNotifierSettings): Promise<NotifierPlugin> {
  const mod = (await import(pathToFileURL(cfg.module).href)) as {
    default?: NotifierPlugin;
    notifier?: NotifierPlugin;
  };
  const plugin = mod.default ?? mod.notifier;
  if (!plugin || typeof plugin.create !== 'function')
    throw new Error(
      `notifier "${cfg.name}": ${cfg.module} exports no NotifierPlugin (default export with create())`,
    );
  const validate = validator('files', {
    type: 'object',
    properties: plugin.properties,
    required: plugin.required ?? [],
  });
  // Its problems in the words and at the file:line:col of every other setting's (util/yaml-file.ts).
  if (!validate(cfg.options))
    throw new FileInvalidError(
      schemaProblems(
        cfg.optionsAt.source,
        validate.errors ?? [],
        cfg.options,
        cfg.optionsAt.path,
        validate.schema,
      ),
    );
  return plugin;
}

/**
 * Loads every notifier module of the list and checks its options against its schema, as `run`
 * and `notify-test` do, without creating or sending anything (`check`): every module's option
 * problems together, at their file:line:col. A module that exports no NotifierPlugin stops it
 * as it stops `run`.
 */
export async function checkModules(notifiers: readonly NotifierSettings[]): Promise<void> {
  const problems: FileProblem[] = [];
  for (const cfg of notifiers) {
    if (cfg.type !== 'module') continue;
    try {
      await loadModule(cfg);
    } catch (err) {
      if (!(err instanceof FileInvalidError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) throw new FileInvalidError(problems);
}

/**
 * A module's own group timing, known once it is loaded (config/ resolved the built-in kinds'):
 * what the notifier's settings leave unset.
 */
function moduleTiming(cfg: ModuleNotifierSettings, plugin: NotifierPlugin): Partial<GroupTiming> {
  const d = plugin.defaults ?? {};
  const timing: Partial<GroupTiming> = {};
  if (d.group_wait !== undefined) timing.groupWaitMs = durationMs(d.group_wait);
  if (d.group_interval !== undefined) timing.groupIntervalMs = durationMs(d.group_interval);
  if (d.repeat_interval !== undefined) timing.repeatIntervalMs = durationMs(d.repeat_interval);
  return { ...timing, ...cfg.timing };
}

/** A notifier from its settings, and its group timing (the module's own defaults applied). */
export async function createNotifier(
  cfg: NotifierSettings,
  deps: BuildDeps,
): Promise<{ notifier: Notifier; timing: Partial<GroupTiming> }> {
  const ctx = {
    name: cfg.name,
    clock: deps.clock,
    log: deps.log.child({ notifier: cfg.name }),
    memory: deps.store.memory(cfg.name),
    timeoutMs: deps.timeoutMs ?? durationMs(DELIVERY_DEFAULTS.timeout),
  };
  const plugin = cfg.type === 'module' ? await loadModule(cfg) : undefined;
  const timing = plugin && cfg.type === 'module' ? moduleTiming(cfg, plugin) : cfg.timing;
  if (deps.dryRun)
    return { notifier: consoleNotifier.create({}, { ...ctx, name: `${cfg.name} (dry run)` }), timing };
  if (cfg.type !== 'module') return { notifier: createBuiltIn(cfg, ctx), timing };
  return { notifier: plugin!.create(cfg.options, ctx), timing };
}

/** The routing tree of the config: the top route takes what it leaves unset from routeDefaults. */
export function buildRoute(n: NotifySettings): Route {
  const d = n.routeDefaults;
  return compileRoute({ ...n.route, receiver: n.route.receiver ?? d.receiver }, d);
}

/** Builds the dispatcher from the config, or undefined when no notifier is configured. */
export async function buildDispatcher(
  config: { notify: NotifySettings },
  deps: BuildDeps,
): Promise<Dispatcher | undefined> {
  const n = config.notify;
  if (!n.notifiers.length) return undefined;
  const receivers = new Map<string, Receiver>();
  for (const cfg of n.notifiers) {
    const { notifier, timing } = await createNotifier(cfg, { ...deps, timeoutMs: n.delivery.timeoutMs });
    receivers.set(cfg.name, {
      notifier,
      sendResolved: cfg.sendResolved,
      timing,
      ...(cfg.rateLimit ? { rateLimit: cfg.rateLimit } : {}),
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
    notifyLeftAndEnded: n.notifyLeftAndEnded,
    ...(deps.reportBody ? { reportBody: deps.reportBody } : {}),
    ...(deps.current ? { current: deps.current } : {}),
  });
}
