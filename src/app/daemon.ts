import { mkdirSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FileInvalidError } from '../util/file-errors.js';
import type { Config } from '../config/types.js';
import type { AlertChange } from '../evaluate/alert.js';
import { RuleEngine } from '../evaluate/engine.js';
import { loadRules } from '../evaluate/load-rules.js';
import { EvaluatedUpTo } from '../evaluate/evaluated.js';
import { AlertStateStore, restoredState } from '../evaluate/state-store.js';
import { buildDispatcher } from '../notify/build.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import { NotifyStore } from '../notify/store.js';
import { readFileSync } from 'node:fs';
import { withoutIdentity } from '../export/alerts-api.js';
import { HttpServer, listenProblem } from '../export/http-server.js';
import { LiveState } from '../export/live-state.js';
import { Metrics } from '../export/metrics.js';
import { registerWebhookMetrics } from '../export/webhook-metrics.js';
import { Webhooks } from '../poll/webhooks/service.js';
import { fromRoot } from '../util/package-root.js';
import { NormalizeStats } from '../normalize/stats.js';
import { DashboardSource } from '../poll/dashboard-source.js';
import { Scheduler, type CycleReport } from '../poll/scheduler.js';
import { SessionSource } from '../poll/session-source.js';
import type { PipelineEvent, SampleSink } from '../normalize/events.js';
import type { PollSource } from '../poll/source.js';
import type { Clock } from '../util/clock.js';
import { formatDuration } from '../util/duration.js';
import { LogOnce } from '../util/log-once.js';
import { plural } from '../util/words.js';
import { StateFiles } from '../util/state-files.js';
import { S2SOAuth, VideoSdkJwt } from '../zoom/auth.js';
import { FileBudgetStore } from '../zoom/budget-file.js';
import { ZoomClient } from '../zoom/client.js';

export interface DaemonDeps {
  clock: Clock;
  log: Logger;
  /** Where samples, leaves and ends go; more sinks join as rules and metrics land. */
  sinks?: SampleSink[];
}

const VERSION = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;

/** Fans one event out to every sink; a failing sink is logged and does not stop the others. */
class FanOut implements SampleSink {
  constructor(
    readonly sinks: SampleSink[],
    private readonly log: Logger,
  ) {}
  handle(event: PipelineEvent): void {
    for (const s of this.sinks) {
      try {
        s.handle(event);
      } catch (err) {
        this.log.error({ err }, 'a sample consumer failed');
      }
    }
  }
}

/**
 * The composition root: builds the Zoom clients, sources and scheduler from the config and
 * runs them. Everything with an edge (clock, logger, sinks) comes in from outside.
 */
export class Daemon {
  readonly clients: { zoom?: ZoomClient; videosdk?: ZoomClient } = {};
  readonly sources: PollSource[] = [];
  readonly scheduler: Scheduler;
  readonly normalizeStats = new NormalizeStats();
  readonly sink: FanOut;
  readonly engine: RuleEngine;
  readonly live = new LiveState();
  readonly metrics: Metrics;
  private readonly startedAt: number;
  private readonly alertStore: AlertStateStore;
  /** Every state file goes through this: durable writes that never stop the daemon, checked reads. */
  readonly stateFiles: StateFiles;
  private readonly evaluated: EvaluatedUpTo;
  private notifyFile: string | undefined;
  /** Alert changes the dispatcher gets once the alert state that holds them is saved. */
  private toDispatch: AlertChange[] = [];
  private readonly alertListeners: ((changes: AlertChange[]) => void)[] = [];
  private watchers: FSWatcher[] = [];
  private readonly badData: LogOnce;
  dispatcher: Dispatcher | undefined;
  /** The last rule reload: when, whether it took, and why not. */
  rulesReload: { ok: boolean; at: number; problems: string[] };
  private readonly stores: FileBudgetStore[] = [];
  private http: HttpServer | undefined;
  url: string | undefined;
  /** Zoom's QSS webhooks, when configured: pushed QoS beside the polled. */
  readonly webhooks: Webhooks | undefined;

  constructor(
    readonly config: Config,
    private readonly deps: DaemonDeps,
  ) {
    const { clock, log } = deps;
    // Rules are checked before anything starts: a wrong rule stops start-up with file:line:col.
    this.stateFiles = new StateFiles(log.child({ component: 'state' }), () => clock.now());
    this.alertStore = new AlertStateStore(config.stateDir, this.stateFiles);
    const rules = loadRules(config.rules.paths);
    const saved = this.alertStore.load();
    this.engine = new RuleEngine(
      rules,
      { gapToleranceMs: config.rules.gapToleranceMs },
      restoredState(saved.series),
    );
    this.evaluated = new EvaluatedUpTo(saved.evaluated);
    this.rulesReload = { ok: true, at: clock.now(), problems: [] };
    const evaluate: SampleSink = {
      handle: (e) => this.emitAlerts(this.engine.handle(this.evaluated.filter(e))),
    };
    this.sink = new FanOut([evaluate, this.live, ...(deps.sinks ?? [])], log);
    this.startedAt = clock.now();
    this.badData = new LogOnce(log, () => clock.now(), 24 * 3_600_000);
    if (config.zoom) {
      const z = config.zoom;
      const store = new FileBudgetStore(config.stateDir, 'zoom', clock, undefined, this.stateFiles);
      this.stores.push(store);
      this.clients.zoom = new ZoomClient({
        apiUrl: z.apiUrl,
        auth: new S2SOAuth(
          {
            oauthUrl: z.oauthUrl,
            accountId: z.accountId,
            clientId: z.clientId,
            clientSecret: z.clientSecret,
          },
          clock,
          z.timeoutMs,
        ),
        limits: z.limits,
        dailyShare: z.dailyShare,
        clock,
        budgetStore: store,
        logger: log.child({ component: 'zoom' }),
        timeoutMs: z.timeoutMs,
      });
      if (config.sources.meetings)
        this.sources.push(
          new DashboardSource(
            'meeting',
            this.clients.zoom,
            clock,
            this.normalizeStats,
            log,
            config.poll.contextRefreshMs,
          ),
        );
      if (config.sources.webinars)
        this.sources.push(
          new DashboardSource(
            'webinar',
            this.clients.zoom,
            clock,
            this.normalizeStats,
            log,
            config.poll.contextRefreshMs,
          ),
        );
    }
    if (config.videosdk && config.sources.sessions) {
      const v = config.videosdk;
      const store = new FileBudgetStore(config.stateDir, 'videosdk', clock, undefined, this.stateFiles);
      this.stores.push(store);
      this.clients.videosdk = new ZoomClient({
        apiUrl: v.apiUrl,
        auth: new VideoSdkJwt(v.apiKey, v.apiSecret, clock),
        limits: v.limits,
        dailyShare: v.dailyShare,
        clock,
        budgetStore: store,
        logger: log.child({ component: 'videosdk' }),
        timeoutMs: v.timeoutMs,
      });
      this.sources.push(new SessionSource(this.clients.videosdk, clock, this.normalizeStats, log));
    }
    this.scheduler = new Scheduler({
      sources: this.sources,
      clock,
      log,
      sink: this.sink,
      poll: config.poll,
      isAlerting: (key) => this.engine.isAlerting(key),
      ...(config.webhooks ? { takeoverAfterMs: config.webhooks.takeoverAfterMs } : {}),
    });
    this.metrics = new Metrics({
      live: this.live,
      engine: this.engine,
      scheduler: this.scheduler,
      clients: this.clients,
      normalizeStats: this.normalizeStats,
      dispatcher: () => this.dispatcher,
      stateWriteFailures: () => this.stateFiles.failures,
      rulesReload: () => this.rulesReload,
      clock,
      version: VERSION,
      options: {
        topicLabel: config.metrics.topicLabel,
        participantSeries: config.metrics.participantSeries,
        participantIdentity: config.metrics.participantIdentity,
      },
    });
    if (config.webhooks) {
      const observers = registerWebhookMetrics(this.metrics.registry, {
        webhooks: () => this.webhooks,
        scheduler: this.scheduler,
        clock,
      });
      const webhooks = new Webhooks(config.webhooks, this.scheduler, {
        clock,
        log,
        normalizeStats: this.normalizeStats,
        stateDir: config.stateDir,
        stateFiles: this.stateFiles,
        ...observers,
      });
      this.webhooks = webhooks;
      this.sink.sinks.push({ handle: (e) => e.type === 'ended' && webhooks.source.forget(e.instance) });
    }
  }

  /**
   * Builds the notifiers and the dispatcher from the config (custom notifier modules are loaded
   * here), and reconciles what it saved with the alerts the engine restored, so none is lost
   * or repeated across a restart.
   */
  async startNotifications(options: { dryRun?: boolean } = {}): Promise<void> {
    const store = new NotifyStore(this.config.stateDir, this.stateFiles, this.deps.clock.now());
    this.notifyFile = store.file;
    this.dispatcher = await buildDispatcher(this.config, {
      clock: this.deps.clock,
      log: this.deps.log,
      store,
      ...(options.dryRun ? { dryRun: true } : {}),
    });
    if (!this.dispatcher) return;
    this.dispatcher.current = (id) => this.engine.current(id);
    this.dispatcher.seed(this.engine.active());
  }

  /** Called with every batch of alert changes (pending, firing, resolved). */
  onAlerts(listener: (changes: AlertChange[]) => void): void {
    this.alertListeners.push(listener);
  }

  private emitAlerts(changes: AlertChange[]): void {
    if (!changes.length) return;
    if (this.dispatcher) for (const c of changes) if (c.state !== 'pending') this.toDispatch.push(c);
    for (const l of this.alertListeners) l(changes);
  }

  /**
   * Saves the alert state, then hands the dispatcher the changes it holds (which it saves in
   * turn). In this order a kill at any instant leaves either both saved, or the alert state
   * ahead of the dispatcher's, which `Dispatcher.seed` reconciles at the next start.
   */
  private commitAlerts(): void {
    this.evaluated.prune();
    this.alertStore.save(this.engine.state, this.evaluated.times);
    const changes = this.toDispatch;
    this.toDispatch = [];
    this.dispatcher?.ingest(changes);
  }

  /** Loads the rule files again; an invalid set is rejected with its problems and the old set keeps running. */
  reloadRules(): boolean {
    const at = this.deps.clock.now();
    try {
      const rules = loadRules(this.config.rules.paths);
      this.engine.setRules(rules);
      this.rulesReload = { ok: true, at, problems: [] };
      this.deps.log.info({ rules: rules.length }, `rules reloaded: ${plural(rules.length, 'rule')}`);
      return true;
    } catch (err) {
      const problems = err instanceof FileInvalidError ? err.message.split('\n') : [(err as Error).message];
      this.rulesReload = { ok: false, at, problems };
      this.deps.log.error(
        { problems },
        `rules not reloaded, the previous ${plural(this.engine.ruleList.length, 'rule')} ${this.engine.ruleList.length === 1 ? 'keeps' : 'keep'} running:\n${problems.join('\n')}`,
      );
      return false;
    }
  }

  /** Reloads when a rule file changes (debounced: editors write in several steps). */
  watchRules(): void {
    let timer: NodeJS.Timeout | undefined;
    for (const p of this.config.rules.paths) {
      try {
        const w = watch(p, () => {
          clearTimeout(timer);
          timer = setTimeout(() => this.reloadRules(), 300);
        });
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch (err) {
        this.deps.log.warn(
          { path: p, err: (err as Error).message },
          'cannot watch rule path; SIGHUP still reloads',
        );
      }
    }
  }

  /** After each cycle: end alerts of instances that are gone (after a restart, say) and save alert state. */
  private afterCycle(): void {
    if (this.scheduler.discoveryComplete()) {
      const live = new Set(this.scheduler.instances().map((i) => `${i.ref.kind}:${i.ref.uuid}`));
      this.emitAlerts(this.engine.reconcile(live, this.deps.clock.now()));
    }
    this.commitAlerts();
    this.stateFiles.retry();
    if (this.scheduler.lastCycle) this.metrics.observeCycle(this.scheduler.lastCycle);
    this.reportBadData();
  }

  private invalidSeen = 0;

  /** Bad data from Zoom is counted (metrics) and logged once, not on every cycle. */
  private reportBadData(): void {
    const stats = this.normalizeStats;
    if (stats.samplesInvalid > this.invalidSeen) {
      this.badData.warn(
        'invalid',
        { skipped: stats.samplesInvalid - this.invalidSeen, total: stats.samplesInvalid },
        'skipped QoS entries Zoom sent without a usable date_time or participant id',
      );
      this.invalidSeen = stats.samplesInvalid;
    }
    for (const [name, count] of stats.unknownStreams)
      this.badData.warn(
        `stream:${name}`,
        { stream: name, count },
        `Zoom sent a stream type qoswatch does not know ("${name}"); it is ignored`,
      );
  }

  addSink(sink: SampleSink): void {
    this.sink.sinks.push(sink);
  }

  /** Ready: at least one cycle done and Zoom answered within the last few cycles. */
  ready(): boolean {
    const now = this.deps.clock.now();
    const last = Math.max(...Object.values(this.clients).map((c) => c.stats.lastSuccessAt ?? 0));
    return this.scheduler.cycles > 0 && now - last <= 3 * this.config.poll.maxIntervalMs;
  }

  /** What /api/v1/status shows: sources, live instances, budget use, coverage, last cycle, reload state. */
  status(): Record<string, unknown> {
    const now = this.deps.clock.now();
    const live: Record<string, number> = { meeting: 0, webinar: 0, session: 0 };
    for (const i of this.scheduler.instances()) live[i.ref.kind] = (live[i.ref.kind] ?? 0) + 1;
    const budget = Object.fromEntries(
      Object.entries(this.clients).map(([name, c]) => [
        name,
        {
          allowance: c.budget.allowance,
          used_today: c.budget.usedToday(),
          remaining_today: c.budget.remaining(),
          blocked_until: c.budget.blocked ? new Date(c.budget.blocked).toISOString() : null,
          last_success: c.stats.lastSuccessAt ? new Date(c.stats.lastSuccessAt).toISOString() : null,
        },
      ]),
    );
    const cycle = this.scheduler.lastCycle;
    const d = this.dispatcher;
    return {
      version: VERSION,
      started_at: new Date(this.startedAt).toISOString(),
      ready: this.ready(),
      sources: this.config.sources,
      live_instances: live,
      coverage: this.scheduler.coverage.report(now),
      budget,
      ...(this.webhooks ? { webhooks: this.webhooks.status(now) } : {}),
      last_cycle: cycle
        ? {
            ...cycle,
            startedAt: new Date(cycle.startedAt).toISOString(),
            finishedAt: new Date(cycle.finishedAt).toISOString(),
          }
        : null,
      rules: {
        loaded: this.engine.ruleList.length,
        last_reload: { ...this.rulesReload, at: new Date(this.rulesReload.at).toISOString() },
      },
      notifications: d
        ? {
            outbox: d.outboxDepth,
            sent: Object.fromEntries(d.stats.sent),
            failed: Object.fromEntries(d.stats.failed),
          }
        : null,
    };
  }

  async listen(): Promise<string> {
    const json = (body: unknown): { status: number; body: string; type: string } => ({
      status: 200,
      body: JSON.stringify(body, null, 2) + '\n',
      type: 'application/json',
    });
    const m = this.config.metrics;
    // Participant names and locations only with the metrics opt-in, or behind basic auth.
    const identity = m.participantIdentity || Object.keys(m.basicAuthUsers ?? {}).length > 0;
    try {
      this.http = new HttpServer(
        {
          '/metrics': async () => ({
            status: 200,
            body: await this.metrics.text(),
            type: this.metrics.registry.contentType,
          }),
          '/healthz': () => ({ status: 200, body: 'ok\n' }),
          '/readyz': () =>
            this.ready() ? { status: 200, body: 'ready\n' } : { status: 503, body: 'not ready\n' },
          '/api/v1/alerts': () =>
            json({ alerts: identity ? this.engine.active() : this.engine.active().map(withoutIdentity) }),
          '/api/v1/status': () => json(this.status()),
        },
        {
          ...(m.tls ? { tls: m.tls } : {}),
          ...(m.basicAuthUsers ? { basicAuthUsers: m.basicAuthUsers } : {}),
          open: ['/healthz'],
          log: this.deps.log.child({ component: 'http' }),
          now: () => this.deps.clock.now(),
        },
      );
      this.url = await this.http.listen(m.port, m.host);
    } catch (err) {
      await this.http?.close();
      this.http = undefined;
      throw new Error(listenProblem(err, m), { cause: err });
    }
    if (this.webhooks) {
      const w = this.config.webhooks!;
      try {
        const url = await this.webhooks.listen();
        this.deps.log.info({ url }, `receiving Zoom webhooks on ${url}`);
      } catch (err) {
        await this.http.close();
        this.http = undefined;
        throw new Error(
          `cannot listen on webhooks.listen ${w.host}:${w.port} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); expected a free address of its own`,
          { cause: err },
        );
      }
    }
    return this.url;
  }

  logCycle(r: CycleReport): void {
    const c = r.coverage;
    this.deps.log.info(
      { ...r, coverage: c },
      `cycle: ${r.live} live, ${r.polled} polled${r.deferred ? `, ${r.deferred} deferred` : ''}, ${plural(r.participants, 'participant')}, ` +
        `${plural(r.samples, 'new sample')}, ${plural(r.calls, 'call')}, coverage ${(c.ratio * 100).toFixed(0)}%, next in ${formatDuration(r.intervalMs)}`,
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
      this.deps.log.info(
        { graceMs: this.config.poll.shutdownTimeoutMs },
        'stopping: finishing in-flight calls',
      );
      // Real time on purpose: this bounds how long the process lingers after SIGTERM.
      timer = setTimeout(
        () => abortCalls.abort(new Error('shutdown timeout')),
        this.config.poll.shutdownTimeoutMs,
      );
    };
    stop.addEventListener('abort', onStop, { once: true });
    const notifyStop = new AbortController();
    const notifying = this.dispatcher?.run(notifyStop.signal);
    let unsaved: string[];
    try {
      await this.scheduler.run(stop, abortCalls.signal, (r) => {
        this.afterCycle();
        onCycle(r);
      });
    } finally {
      notifyStop.abort();
      await notifying;
      // What the last cycle changed, and every group's waiting changes, go out now; a last
      // delivery round follows, bounded by the shutdown timeout. What is still undelivered
      // stays in the outbox for the next start.
      this.commitAlerts();
      this.dispatcher?.flushAll();
      if (this.dispatcher) await this.dispatcher.tick(abortCalls.signal).catch(() => undefined);
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      unsaved = await this.close();
    }
    return unsaved;
  }

  /**
   * Saves state and closes everything. A save that fails (state dir gone, disk full) is logged
   * as not saved and does not stop the rest: the HTTP server is closed whatever happens.
   * Returns what was not saved (empty when all was).
   */
  async close(): Promise<string[]> {
    const saves: [string, () => unknown, string[]][] = [
      // First: no more webhooks taken, and those acknowledged handed on before the alert state is saved.
      ...(this.webhooks
        ? [
            ['the webhook spool and the memory of requests seen', () => this.webhooks?.close(), []] as [
              string,
              () => unknown,
              string[],
            ],
          ]
        : []),
      [`alert state (${this.alertStore.file})`, () => this.commitAlerts(), [this.alertStore.file]],
      [
        'the notification outbox and log',
        () => this.dispatcher?.close(),
        this.notifyFile ? [this.notifyFile] : [],
      ],
      ...this.stores.map((s): [string, () => unknown, string[]] => [
        'the daily budget count',
        () => s.flush(),
        [s.file],
      ]),
    ];
    this.unsavedNow = saves.map(([what]) => what);
    const unsaved: string[] = [];
    for (const w of this.watchers) w.close();
    this.watchers = [];
    for (const [what, save, files] of saves) {
      try {
        await save();
        // A failed write does not throw (StateFiles keeps it and retries); at stop it is not saved.
        const failed = files.filter((f) => this.stateFiles.unsavedFiles.includes(f));
        if (failed.length) throw new Error(`cannot write ${failed.join(', ')}`);
        this.unsavedNow.splice(this.unsavedNow.indexOf(what), 1);
      } catch (err) {
        unsaved.push(what);
        this.deps.log.error({ err: (err as Error).message }, `not saved: ${what}`);
      }
    }
    await this.http?.close();
    this.http = undefined;
    return unsaved;
  }

  private unsavedNow: string[] | undefined;

  /** What a shutdown has not (yet) saved: everything before close() runs, then what is left. */
  notSaved(): string[] {
    return this.unsavedNow ?? [`alert state (${this.alertStore.file})`, 'the notification outbox and log'];
  }

  /** After a failed start: closes what was opened (HTTP, notifiers, watchers); nothing changed, so nothing to save. */
  async closeWithoutSaving(): Promise<void> {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    await this.dispatcher?.close().catch(() => undefined);
    await this.http?.close();
    this.http = undefined;
    await this.webhooks?.close();
  }

  /** Fails with a one-line reason when the state directory cannot be created or written. */
  checkStateDir(): void {
    const dir = this.config.stateDir;
    const probe = join(dir, `.write-test-${process.pid}`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(probe, '');
      rmSync(probe, { force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new Error(
        `state.dir ${dir} is not a writable directory (${code}); expected one qoswatch can write`,
        { cause: err },
      );
    }
  }
}
