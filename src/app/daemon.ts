import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { Alert, AlertChange } from '../evaluate/alert.js';
import { RuleEngine } from '../evaluate/engine.js';
import { EvaluatedUpTo } from '../evaluate/evaluated.js';
import { loadRules } from '../evaluate/load-rules.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import { AlertStateStore, restoredState } from '../evaluate/state-store.js';
import { LiveState } from '../export/live-state.js';
import type { Metrics } from '../export/metrics.js';
import type { SampleSink } from '../normalize/events.js';
import { NormalizeStats } from '../normalize/stats.js';
import { buildDispatcher } from '../notify/build.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import { NotifyStore } from '../notify/pipeline/store.js';
import { Scheduler, type CycleReport } from '../poll/scheduler.js';
import type { PollSource } from '../poll/source.js';
import type { Webhooks } from '../poll/webhooks/service.js';
import type { Clock } from '../util/clock.js';
import { hostPort } from '../util/host-port.js';
import { formatDuration } from '../util/duration.js';
import { formatProblem } from '../util/file-errors.js';
import { packageVersion } from '../util/package-root.js';
import { StateFiles } from '../util/state-files.js';
import { plural } from '../util/words.js';
import type { ZoomClient } from '../zoom/client.js';
import type { FileBudgetStore } from '../zoom/budget-file.js';
import { buildAccounts } from './accounts.js';
import { listFieldsSource, listReport } from './list-demand.js';
import { AlertFlow, FanOut } from './alert-flow.js';
import type { PushCommit } from './push-commit.js';
import { BadDataReport } from './bad-data.js';
import type { HttpApi } from './http-api.js';
import type { ReportWorker } from '../report/worker.js';
import { RuleReloader, type ReloadState } from './rule-reload.js';
import { matcherProblems } from './matcher-warnings.js';
import { settingWarnings } from '../config/setting-warnings.js';
import { noRulesWarning } from './no-rules.js';
import type { DaemonParts } from './daemon-parts.js';
import { Shutdown } from './shutdown.js';
import type { StatusReport } from './status-report.js';
import { wire, type Wiring } from './wiring.js';

export interface DaemonDeps {
  clock: Clock;
  log: Logger;
  /** Where samples, leaves and ends go; more sinks join as rules and metrics land. */
  sinks?: SampleSink[];
}

const VERSION = packageVersion();

/**
 * The composition root: builds the Zoom clients, sources and scheduler from the config and
 * runs them. Everything with an edge (clock, logger, sinks) comes in from outside. The parts
 * live beside it: accounts.ts (clients and sources), alert-flow.ts (alert fan-out),
 * rule-reload.ts, http-api.ts (status API and readiness), bad-data.ts, wiring.ts (metrics,
 * webhooks, reports and API wired to the parts), shutdown.ts (the saves and closes at stop).
 */
export class Daemon {
  /** The parts as wired (tests and benches; the CLI uses the methods). */
  readonly parts: DaemonParts;
  private readonly clients: { zoom?: ZoomClient; videosdk?: ZoomClient };
  private readonly sources: PollSource[];
  private readonly scheduler: Scheduler;
  private readonly normalizeStats = new NormalizeStats();
  private readonly sink: FanOut;
  private readonly engine: RuleEngine;
  private readonly live = new LiveState();
  private readonly metrics: Metrics;
  /** Every state file goes through this: durable writes that never stop the daemon, checked reads. */
  private readonly stateFiles: StateFiles;
  /** Zoom's QSS webhooks, when configured: pushed QoS beside the polled. */
  private readonly webhooks: Webhooks | undefined;
  /** Reports after every call, when `reports:` is configured. */
  private readonly reports: ReportWorker | undefined;
  private listenUrl: string | undefined;
  private readonly startedAt: number;
  private readonly alerts: AlertFlow;
  /** When the first cycle's end allows instances not listed to be reconciled as ended (afterCycle). */
  private reconcileFrom: number | undefined;
  /** Restored alerts' instances were tracked while discovery was not complete (pollRestored). */
  private restoredTracked = false;
  /** Commits soon after pushed data changed alerts (webhooks on). */
  private readonly pushCommit: PushCommit | undefined;
  private readonly reloader: RuleReloader;
  private readonly api: HttpApi;
  private readonly badData: BadDataReport;
  private readonly budgetStores: FileBudgetStore[];
  private notifyFile: string | undefined;
  /** The saves and closes at stop (shutdown.ts). */
  private readonly shutdown: Shutdown;
  /** run() has begun: what readiness waits for before the first cycle ends. */
  private running = false;
  /** Set at stop: the loop only finishes what is in flight (/readyz answers 503). */
  private stopping = false;
  /** Resolves the last run saved but may not have handed to the dispatcher (see AlertStateStore). */
  private restoredResolves: Alert[];

  /**
   * Wires the parts in the order they depend on each other; rules are checked before anything
   * starts (a wrong rule stops start-up with file:line:col).
   */
  constructor(
    private readonly config: Config,
    private readonly deps: DaemonDeps,
  ) {
    const { clock, log } = deps;
    this.stateFiles = new StateFiles(log.child({ component: 'state' }), () => clock.now());
    const alertStore = new AlertStateStore(config.stateDir, this.stateFiles);
    const rules = loadRules(config.rules.paths);
    const saved = alertStore.load();
    this.engine = new RuleEngine(
      rules,
      { gapToleranceMs: config.rules.gapToleranceMs },
      restoredState(saved.series, saved.members),
    );
    this.alerts = new AlertFlow(this.engine, new EvaluatedUpTo(saved.evaluated), alertStore);
    this.restoredResolves = saved.resolved;
    this.reloader = new RuleReloader(config.rules.paths, this.engine, clock, log, {
      loaded: (r) => this.logListReport(r),
      changes: (c) => this.commitNow(c),
    });
    this.logListReport(rules);
    for (const p of settingWarnings(config)) log.warn(formatProblem(p));
    this.sink = new FanOut([this.alerts.evaluate, this.live, ...(deps.sinks ?? [])], log);
    this.startedAt = clock.now();
    this.badData = new BadDataReport(this.normalizeStats, log, clock);
    const accounts = buildAccounts(config, {
      clock,
      log,
      stateDir: config.stateDir,
      stateFiles: this.stateFiles,
      normalizeStats: this.normalizeStats,
      listFields: listFieldsSource(() => this.engine.ruleList, config),
    });
    this.clients = accounts.clients;
    this.sources = accounts.sources;
    this.budgetStores = accounts.budgetStores;
    this.scheduler = new Scheduler({
      sources: this.sources,
      clock,
      log,
      sink: this.sink,
      poll: config.poll,
      isAlerting: (key) => this.engine.isAlerting(key),
      normalizeStats: this.normalizeStats,
      gapToleranceMs: config.rules.gapToleranceMs,
      ...(config.webhooks ? { takeoverAfterMs: config.webhooks.takeoverAfterMs } : {}),
      recheckEveryMs: config.webhooks?.recheckEveryMs,
    });
    const wired = wire(this.wiring(), {
      startedAt: this.startedAt,
      started: () => this.running && !this.stopping,
    });
    this.metrics = wired.metrics;
    this.webhooks = wired.webhooks;
    this.pushCommit = wired.pushCommit;
    this.reports = wired.reports;
    this.api = wired.api;
    this.shutdown = this.buildShutdown();
    this.parts = this.buildParts();
  }

  /** What wire() builds the metrics, webhooks, reports and API from. */
  private wiring(): Wiring {
    return {
      config: this.config,
      clock: this.deps.clock,
      log: this.deps.log,
      version: VERSION,
      clients: this.clients,
      scheduler: this.scheduler,
      engine: this.engine,
      live: this.live,
      normalizeStats: this.normalizeStats,
      stateFiles: this.stateFiles,
      sink: this.sink,
      alerts: this.alerts,
      dispatcher: () => this.dispatcher,
      rulesReload: () => this.rulesReload,
    };
  }

  /** The saves and closes at stop, over the parts that hold state or an open resource. */
  private buildShutdown(): Shutdown {
    return new Shutdown({
      log: this.deps.log,
      stateFiles: this.stateFiles,
      reloader: this.reloader,
      alerts: this.alerts,
      api: this.api,
      webhooks: this.webhooks,
      budgetStores: this.budgetStores,
      dispatcher: () => this.dispatcher,
      notifyFile: () => this.notifyFile,
    });
  }

  private buildParts(): DaemonParts {
    const alerts = this.alerts;
    return {
      config: this.config,
      clients: this.clients,
      scheduler: this.scheduler,
      engine: this.engine,
      live: this.live,
      metrics: this.metrics,
      normalizeStats: this.normalizeStats,
      sink: this.sink,
      webhooks: this.webhooks,
      reports: this.reports,
      get dispatcher() {
        return alerts.dispatcher;
      },
    };
  }

  private get dispatcher(): Dispatcher | undefined {
    return this.alerts.dispatcher;
  }

  /** The last rule reload: when, whether it took, and why not. */
  private get rulesReload(): ReloadState {
    return this.reloader.state;
  }

  /**
   * Builds the notifiers and the dispatcher from the config (custom notifier modules are loaded
   * here), and reconciles what it saved with the alerts the engine restored, so none is lost
   * or repeated across a restart.
   */
  async startNotifications(options: { dryRun?: boolean } = {}): Promise<void> {
    const store = new NotifyStore(this.config.stateDir, this.stateFiles, this.deps.clock.now());
    this.notifyFile = store.file;
    this.alerts.dispatchTo(
      await buildDispatcher(this.config, {
        clock: this.deps.clock,
        log: this.deps.log,
        store,
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(this.reports ? { reportBody: (id: string) => this.reports?.body(id) } : {}),
        current: (id) => this.engine.current(id),
      }),
    );
    if (!this.dispatcher) return;
    this.dispatcher.seed(
      this.engine.active(),
      this.restoredResolves,
      new Set(this.engine.ruleList.map((r) => r.name)),
    );
    // Reminders from the saved state wait until a cycle has reconciled it with Zoom (afterCycle).
    if (this.engine.active().length) this.dispatcher.holdReminders();
    this.restoredResolves = [];
  }

  /** Called with every batch of alert changes (pending, firing, resolved). */
  onAlerts(listener: (changes: AlertChange[]) => void): void {
    this.alerts.onAlerts(listener);
  }

  /** Alert changes made outside a cycle (a rule reload's resolves): saved and handed on now. */
  private commitNow(changes: AlertChange[]): void {
    if (!changes.length) return;
    this.alerts.emit(changes);
    this.alerts.commit();
  }

  /**
   * Says which rule makes qoswatch read the participants list and what it costs, and which
   * silences, routes and inhibit rules reach more or less than they seem to (start-up, reload).
   */
  private logListReport(rules: readonly CompiledRule[]): void {
    const none = noRulesWarning(rules, this.config);
    if (none) this.deps.log.warn(none);
    const { lines, warnings } = listReport(rules, this.config);
    this.deps.log.info({ participantsList: lines }, lines.join('\n'));
    for (const w of warnings) this.deps.log.warn(w);
    for (const p of matcherProblems(this.config, rules, this.deps.clock.now()))
      this.deps.log.warn(formatProblem(p));
  }

  /** Loads the rule files again; an invalid set is rejected with its problems and the old set keeps running. */
  reloadRules(): boolean {
    return this.reloader.reload();
  }

  /** Reloads when a rule file changes (debounced: editors write in several steps). */
  watchRules(): void {
    this.reloader.watch();
  }

  /** After each cycle: end alerts of instances that are gone (after a restart, say) and save alert state. */
  private afterCycle(): void {
    const now = this.deps.clock.now();
    // With webhooks on, an instance discovery does not list may be a ghost whose pushes go on:
    // after a start, its first push may come up to takeover_after later, so instances not
    // listed are ended only once that has passed since the first cycle (as its expiry would).
    this.reconcileFrom ??= now + (this.config.webhooks?.takeoverAfterMs ?? 0);
    if (this.scheduler.discoveryComplete() && now >= this.reconcileFrom) {
      const live = this.scheduler.liveKeys(now);
      this.alerts.emit(this.engine.reconcile(live, now));
      this.reports?.reconcile(live);
      this.dispatcher?.releaseReminders();
    } else if (now >= this.reconcileFrom) this.pollRestored(now);
    this.alerts.commit();
    this.stateFiles.retry();
    if (this.scheduler.lastCycle) this.metrics.observeCycle(this.scheduler.lastCycle);
    this.badData.report();
  }

  /**
   * Discovery is not complete (a live list failed or had entries it could not use) when the
   * reconcile time has come: the instances of restored alerts that nothing tracks are polled from
   * the next cycle on, taken as listed before the restart, so that one that ended while qoswatch
   * was down is found ended (404/3001) and its alerts resolve. Held reminders go at the cycle
   * after they were first tracked: by then each was polled, and an ended one's alerts resolved.
   */
  private pollRestored(now: number): void {
    if (this.restoredTracked) this.dispatcher?.releaseReminders();
    this.scheduler.adopt(this.engine.instanceRefs(), now);
    this.restoredTracked = true;
  }

  addSink(sink: SampleSink): void {
    this.sink.add(sink);
  }

  /** Ready: run() has begun and Zoom is not known to fail (HttpApi.ready). */
  ready(): boolean {
    return this.api.ready();
  }

  /** What /api/v1/status shows. */
  status(): StatusReport {
    return this.api.status();
  }

  /**
   * Opens the HTTP API on `metrics.listen` (or on `port` instead: the demo falls back to a free
   * one) and the webhook receiver when configured. Returns the API's URL.
   */
  async listen(port?: number): Promise<string> {
    this.listenUrl = await this.api.listen(port);
    if (this.webhooks) {
      const w = this.config.webhooks!;
      try {
        const url = await this.webhooks.listen();
        this.deps.log.info({ url }, `receiving Zoom webhooks on ${url}`);
      } catch (err) {
        await this.api.close();
        throw new Error(
          `cannot listen on webhooks.listen ${hostPort(w.host, w.port)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); expected a free address of its own`,
          { cause: err },
        );
      }
    }
    return this.listenUrl;
  }

  /** The HTTP API's URL once `listen` has opened it. */
  get url(): string | undefined {
    return this.listenUrl;
  }

  logCycle(r: CycleReport): void {
    const c = r.coverage;
    this.deps.log.info(
      { ...r, coverage: c },
      `cycle: ${r.live} live, ${r.polled} polled${r.deferred ? `, ${r.deferred} deferred` : ''}${r.errors ? `, ${plural(r.errors, 'error')}` : ''}, ${plural(r.participants, 'participant')}, ` +
        `${plural(r.samples, 'new sample')}, ${plural(r.calls, 'call')}, coverage ${c.ratio === null ? 'n/a (nobody live)' : `${(c.ratio * 100).toFixed(0)}%`}, next in ${formatDuration(r.intervalMs)}`,
    );
  }

  /**
   * Runs until `stop` aborts, then stops taking new work, lets in-flight calls finish for
   * the shutdown timeout, aborts what is left, and flushes state. Returns what could not be
   * saved (see close).
   */
  async run(
    stop: AbortSignal,
    onCycle: (r: CycleReport) => void = (r) => this.logCycle(r),
  ): Promise<string[]> {
    const abortCalls = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const onStop = (): void => {
      this.stopping = true;
      this.deps.log.info(
        { graceMs: this.config.run.shutdownTimeoutMs },
        'stopping: finishing in-flight calls',
      );
      // Real time on purpose: this bounds how long the process lingers after SIGTERM.
      timer = setTimeout(
        () => abortCalls.abort(new Error('shutdown timeout')),
        this.config.run.shutdownTimeoutMs,
      );
    };
    // Stopped before it ran (a SIGTERM during start-up): it stops at once, within the same grace.
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
    const notifyStop = new AbortController();
    // A call in flight at stop is let finish within the grace (cut off, it could be made twice).
    const notifying = this.dispatcher?.run(notifyStop.signal, abortCalls.signal);
    // Report calls stop being started at stop; one in flight is let finish within the grace.
    const reporting = this.reports?.run(AbortSignal.any([stop, abortCalls.signal]));
    let unsaved: string[];
    this.running = true;
    this.stopping = false;
    try {
      await this.scheduler.run(stop, abortCalls.signal, (r) => {
        this.afterCycle();
        onCycle(r);
        this.reports?.idle();
      });
    } finally {
      await reporting;
      this.pushCommit?.stop();
      notifyStop.abort();
      await notifying;
      // What the last cycle changed, and every group's waiting changes, go out now; a last
      // delivery round follows, bounded by the shutdown timeout. What is still undelivered
      // stays in the outbox for the next start.
      this.alerts.commit();
      this.dispatcher?.flushAll();
      if (this.dispatcher) await this.dispatcher.tick(abortCalls.signal).catch(() => undefined);
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      unsaved = await this.close();
    }
    return unsaved;
  }

  /**
   * One full cycle over every live instance, then close, saving the budget count alone
   * (`qoswatch once`, which may run beside a daemon on the same state.dir). Says whether Zoom
   * answered at all.
   */
  async runOnce(): Promise<{ report: CycleReport; answered: boolean }> {
    const report = await this.scheduler.cycle(new AbortController().signal, { all: true });
    // What was skipped (entries without user_id...) is said, as the daemon says it after a cycle.
    this.badData.report();
    // Only the budget count is saved: state.dir may be a running daemon's (its alert state).
    await this.shutdown.closeSavingBudget();
    const answered = Object.values(this.clients).some((c) => c.stats.lastSuccessAt !== undefined);
    return { report, answered };
  }

  /**
   * Saves state and closes everything. A save that fails (state dir gone, disk full) is logged
   * as not saved and does not stop the rest: the HTTP server is closed whatever happens.
   * Returns what was not saved (empty when all was).
   */
  async close(): Promise<string[]> {
    return this.shutdown.close();
  }

  /** After a failed start: closes what was opened (HTTP, notifiers, watchers); nothing changed, so nothing to save. */
  async closeWithoutSaving(): Promise<void> {
    return this.shutdown.closeWithoutSaving();
  }

  /** What a shutdown has not (yet) saved: everything before close() runs, then what is left. */
  notSaved(): string[] {
    return this.shutdown.notSaved();
  }
}
