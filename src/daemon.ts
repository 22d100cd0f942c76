import type { Logger } from 'pino';
import type { Config } from './config/types.js';
import { HttpServer } from './export/http-server.js';
import { NormalizeStats } from './normalize/stats.js';
import { DashboardSource } from './poll/dashboard-source.js';
import { Scheduler, type CycleReport } from './poll/scheduler.js';
import { SessionSource } from './poll/session-source.js';
import type { PipelineEvent, PollSource, SampleSink } from './poll/source.js';
import type { Clock } from './util/clock.js';
import { formatDuration } from './util/duration.js';
import { S2SOAuth, VideoSdkJwt } from './zoom/auth.js';
import { FileBudgetStore } from './zoom/budget-file.js';
import { ZoomClient } from './zoom/client.js';

export interface DaemonDeps {
  clock: Clock;
  log: Logger;
  /** Where samples, leaves and ends go; more sinks join as rules and metrics land. */
  sinks?: SampleSink[];
}

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
  private readonly stores: FileBudgetStore[] = [];
  private http: HttpServer | undefined;
  url: string | undefined;

  constructor(
    readonly config: Config,
    private readonly deps: DaemonDeps,
  ) {
    const { clock, log } = deps;
    this.sink = new FanOut(deps.sinks ?? [], log);
    if (config.zoom) {
      const z = config.zoom;
      const store = new FileBudgetStore(config.stateDir, 'zoom', clock);
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
      const store = new FileBudgetStore(config.stateDir, 'videosdk', clock);
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
      this.sources.push(new SessionSource(this.clients.videosdk, clock, this.normalizeStats));
    }
    this.scheduler = new Scheduler({ sources: this.sources, clock, log, sink: this.sink, poll: config.poll });
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

  async listen(): Promise<string> {
    this.http = new HttpServer({
      '/healthz': () => ({ status: 200, body: 'ok\n' }),
      '/readyz': () =>
        this.ready() ? { status: 200, body: 'ready\n' } : { status: 503, body: 'not ready\n' },
    });
    this.url = await this.http.listen(this.config.metrics.port, this.config.metrics.host);
    return this.url;
  }

  logCycle(r: CycleReport): void {
    const c = r.coverage;
    this.deps.log.info(
      { ...r, coverage: c },
      `cycle: ${r.live} live, ${r.polled} polled${r.deferred ? `, ${r.deferred} deferred` : ''}, ${r.participants} participants, ` +
        `${r.samples} new samples, ${r.calls} calls, coverage ${(c.ratio * 100).toFixed(0)}%, next in ${formatDuration(r.intervalMs)}`,
    );
  }

  /**
   * Runs until `stop` aborts, then stops taking new work, lets in-flight calls finish for
   * the shutdown timeout, aborts what is left, and flushes state.
   */
  async run(stop: AbortSignal, onCycle: (r: CycleReport) => void = (r) => this.logCycle(r)): Promise<void> {
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
    try {
      await this.scheduler.run(stop, abortCalls.signal, onCycle);
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      await this.close();
    }
  }

  async close(): Promise<void> {
    for (const s of this.stores) s.flush();
    await this.http?.close();
    this.http = undefined;
  }
}
