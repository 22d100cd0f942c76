import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Alert, AlertState } from '../evaluate/alert.js';
import type { RuleEngine } from '../evaluate/engine.js';
import { instanceKey, type PipelineEvent } from '../normalize/events.js';
import type { InstanceRef } from '../normalize/sample.js';
import type { Scheduler } from '../poll/scheduler.js';
import { backoffDelay } from '../util/backoff.js';
import { sleepUnless, type Clock } from '../util/clock.js';
import { COUNT, entryCheck, INSTANCE_REF, TIME, validEntries, type StateFiles } from '../util/state-files.js';
import { isJsonObject } from '../util/json-object.js';
import { hiddenAsLogged } from '../util/log-secrets.js';
import type { ZoomClient } from '../zoom/client.js';
import { isZoomError } from '../zoom/errors.js';
import { formatJson } from './format-data.js';
import { makeReport } from './make.js';
import { messageHeadline, reportAlerts, reportAttachment } from './message.js';
import { pushedSummaries } from './pushed.js';
import type { ReportsSettings } from './settings.js';
import { reportId, ReportStore, type StoredReport } from './store.js';

/** An instance that ended and whose report is still to be made (saved in reports/pending.json). */
interface Saved {
  jobs: Job[];
  /** Instances seen live: one that is gone after a restart ended while the daemon was away. */
  live: InstanceRef[];
}

interface Job {
  instance: InstanceRef;
  endedAt: number;
  /** An alert fired on it while it was live. */
  alerted: boolean;
  attempts: number;
  notBefore: number;
  lastError?: string;
}

const checkRef = entryCheck(INSTANCE_REF);
const checkJob = entryCheck({
  type: 'object',
  required: ['instance', 'endedAt', 'alerted', 'attempts', 'notBefore'],
  properties: {
    instance: INSTANCE_REF,
    endedAt: TIME,
    alerted: { type: 'boolean' },
    attempts: COUNT,
    notBefore: TIME,
    lastError: { type: 'string' },
  },
});

const MAX_JOBS = 10_000;
/** How long the worker's loop sleeps with nothing due (it is woken when a job or a cycle's end comes). */
const IDLE_MS = 60_000;

/** A made report as the notifications refer to it (the dispatcher's `ReportRef`). */
interface QueuedReport {
  id: string;
  headline: string;
  alerts: number;
  path: string;
}

/** Where a report is queued for its receivers (the dispatcher): returns those it was queued for. */
interface ReportQueue {
  queueReport(ref: QueuedReport, receivers: readonly string[]): readonly string[];
}

/** What a report notification carries at delivery (the dispatcher's `ReportBody`). */
interface ReportBody {
  attachment: { filename: string; contentType: string; content: string };
  json: Record<string, unknown>;
}

/** What the report worker reads of the daemon. */
interface ReportDeps {
  settings: ReportsSettings;
  stateDir: string;
  files: StateFiles;
  clock: Clock;
  log: Logger;
  clients: { zoom?: ZoomClient; videosdk?: ZoomClient };
  /** The poll loop: whether a cycle is under way, and what live polling needs until the reset. */
  polling: Pick<Scheduler, 'inCycle' | 'pollingNeed'>;
  /** The rules reports replay, and the alerts firing at start. */
  rules: Pick<RuleEngine, 'ruleList' | 'active'>;
  gapToleranceMs: number;
  pollIntervals: { minIntervalMs: number };
  /** Where reports go to their receivers (none before the notifications started). */
  queue: () => ReportQueue | undefined;
  /** Uniform in [0, 1): the jitter of a failed report's retry. */
  random: () => number;
}

/**
 * Reports after every call. An instance that ends becomes a job (saved at once, so a restart
 * loses none); once `delay` has passed on the daemon's clock (a timer of the worker's own loop,
 * not the next poll cycle) its report is made through the daemon's own Zoom client (same
 * rate limits, same daily budget), with calls let out only between poll cycles and only while
 * the day's budget keeps what live polling needs until the reset plus the reserve. The report
 * is kept in state.dir/reports and queued in the notification outbox once per receiver (the
 * outbox remembers it, so a restart neither loses nor repeats it), then the job is dropped.
 */
export class ReportWorker {
  readonly store: ReportStore;
  private readonly file: string;
  private jobs: Job[];
  private live: Map<string, InstanceRef>;
  /** Instances with an alert that fired while live. */
  private readonly alerted = new Set<string>();
  /** Lets a report call held by a poll cycle go (at the cycle's end). */
  private kick: (() => void) | undefined;
  /** Wakes the loop: a job was added, or a cycle ended. */
  private wake: () => void = () => undefined;
  /** A poll cycle of this run has ended: reports wait for live polling's first one. */
  private cycled = false;
  private signal: AbortSignal | undefined;
  private running: Promise<void> | undefined;
  readonly stats = { made: 0, queued: 0, failed: 0, givenUp: 0, deferred: 0, calls: 0 };

  constructor(private readonly d: ReportDeps) {
    this.store = new ReportStore(d.stateDir, d.files, d.settings.keepMs);
    this.file = join(this.store.dir, 'pending.json');
    const saved = d.files.read<Saved>(this.file, (raw) => {
      if (!isJsonObject(raw) || raw.version !== 1) return { error: 'it is not a version 1 report queue' };
      const discarded: string[] = [];
      return {
        value: {
          jobs: validEntries<Job>('jobs', raw.jobs, checkJob, discarded),
          live: validEntries<InstanceRef>('live', raw.live, checkRef, discarded),
        },
        discarded,
      };
    });
    this.jobs = saved?.jobs ?? [];
    this.live = new Map((saved?.live ?? []).map((r) => [instanceKey(r), r]));
    for (const a of d.rules.active()) this.noteAlert(a);
    const pruned = this.store.prune(d.clock.now());
    if (pruned) d.log.info({ pruned }, `deleted ${pruned} report(s) older than reports.keep`);
  }

  private save(): void {
    this.d.files.write(
      this.file,
      JSON.stringify({ version: 1, jobs: this.jobs, live: [...this.live.values()] }),
    );
  }

  private noteAlert(a: Alert): void {
    if (a.state === 'firing' && a.context.kind && a.context.uuid)
      this.alerted.add(instanceKey({ kind: a.context.kind, uuid: a.context.uuid }));
  }

  /**
   * Alert changes from the engine: remember which instances had one firing. Only firing ones
   * are read: a pending change is rendered when read (a storm's would cost a render each).
   */
  onAlerts(changes: readonly { state: AlertState; alert: Alert }[]): void {
    for (const c of changes) if (c.state === 'firing') this.noteAlert(c.alert);
  }

  /** A sink of the pipeline: an ended instance becomes a job. */
  readonly sink = {
    handle: (e: PipelineEvent): void => {
      if (e.type === 'polled') this.seen(e.instance);
      if (e.type === 'ended') this.ended(e.instance, e.at);
    },
  };

  /** An instance seen live is remembered (saved when it is new) until it ends. */
  private seen(ref: InstanceRef): void {
    const key = instanceKey(ref);
    if (this.live.has(key) || this.live.size >= MAX_JOBS) return;
    this.live.set(key, { kind: ref.kind, id: ref.id, uuid: ref.uuid, topic: ref.topic });
    this.save();
  }

  /**
   * After a full discovery: instances seen live before a restart that are live no more ended
   * while the daemon was away; their reports are made all the same.
   */
  reconcile(liveKeys: ReadonlySet<string>): void {
    for (const [key, ref] of [...this.live]) if (!liveKeys.has(key)) this.ended(ref, this.d.clock.now());
  }

  private ended(instance: InstanceRef, at: number): void {
    const key = instanceKey(instance);
    const wasLive = this.live.delete(key);
    if (this.jobs.some((j) => instanceKey(j.instance) === key)) {
      if (wasLive) this.save();
      return;
    }
    if (this.jobs.length >= MAX_JOBS) {
      this.stats.givenUp++;
      this.d.log.warn({ instance: instance.uuid }, 'report queue full: no report for this instance');
      return;
    }
    this.jobs.push({
      instance,
      endedAt: at,
      alerted: this.alerted.delete(key),
      attempts: 0,
      notBefore: at + this.d.settings.delayMs,
    });
    this.save();
    this.wake();
  }

  get pending(): number {
    return this.jobs.length;
  }

  /** A poll cycle ended: a report due, or held by the cycle, goes now. */
  idle(): void {
    this.cycled = true;
    this.kick?.();
    this.kick = undefined;
    this.start();
    this.wake();
  }

  /**
   * Starts work on the due reports between poll cycles (at once, before a cycle that follows
   * the last one without a pause, as when polling runs late); none before this run's first cycle.
   */
  private start(): void {
    const signal = this.signal;
    if (!signal || signal.aborted || !this.cycled || this.d.polling.inCycle) return;
    this.running ??= this.work(signal).finally(() => (this.running = undefined));
  }

  /**
   * The worker's loop, beside the poll loop, until `signal` aborts: each report is made once its
   * `delay` has passed on the daemon's clock (its own timer, not the next poll cycle). It always
   * waits on the clock (a test clock that moves only when every loop sleeps counts it as one).
   */
  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    while (!signal.aborted) {
      this.start();
      await this.running;
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      const due = this.cycled && !this.d.polling.inCycle ? this.nextDue() : undefined;
      const wait = due === undefined ? IDLE_MS : Math.max(0, due - this.d.clock.now());
      await sleepUnless(this.d.clock, wait, woken, signal).catch(() => undefined);
    }
    await this.running;
  }

  /** When the next job is due, if any. */
  private nextDue(): number | undefined {
    let due: number | undefined;
    for (const j of this.jobs) if (due === undefined || j.notBefore < due) due = j.notBefore;
    return due;
  }

  /**
   * Resolves once a report call may go: at once between poll cycles; during a cycle, when it
   * ends (that call goes then even if the next cycle follows at once, as when polling runs late).
   */
  private gate(signal: AbortSignal): () => Promise<void> {
    return async () => {
      signal.throwIfAborted();
      if (!this.d.polling.inCycle) return;
      await new Promise<void>((resolve) => {
        this.kick = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      signal.throwIfAborted();
    };
  }

  private async work(signal: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.d.clock.now();
      if (signal.aborted || this.d.polling.inCycle) return;
      const job = this.jobs.filter((j) => j.notBefore <= now).sort((a, b) => a.notBefore - b.notBefore)[0];
      if (!job) return;
      await this.make(job, signal);
    }
  }

  private async make(job: Job, signal: AbortSignal): Promise<void> {
    const s = this.d.settings;
    const id = reportId(job.instance.kind, job.instance.uuid);
    const client = job.instance.kind === 'session' ? this.d.clients.videosdk : this.d.clients.zoom;
    try {
      let stored = this.store.get(id);
      if (!stored) {
        if (!client) throw new Error(`no Zoom client for ${job.instance.kind}s`);
        const reserve =
          (s.reserve ?? Math.ceil(client.budget.allowance / 10)) + this.d.polling.pollingNeed(client);
        const report = await makeReport(client, {
          kind: job.instance.kind,
          id: job.instance.uuid,
          instance: job.instance.uuid,
          source: s.source,
          rules: [...this.d.rules.ruleList],
          gapToleranceMs: this.d.gapToleranceMs,
          reserve,
          clock: this.d.clock,
          signal,
          kept: { pushedSummaries: pushedSummaries(this.d.files, this.d.stateDir), gate: this.gate(signal) },
        });
        this.stats.calls += report.calls;
        stored = {
          version: 1,
          id,
          headline: messageHeadline(report),
          alerts: reportAlerts(report),
          savedAt: this.d.clock.now(),
          report,
        };
        this.store.save(stored);
        this.stats.made++;
        this.d.log.info(
          { report: id, calls: report.calls, source: report.source },
          `report made: ${stored.headline} (${report.calls} API calls)`,
        );
      }
      this.send(stored, job);
      this.jobs = this.jobs.filter((j) => j !== job);
      this.save();
    } catch (err) {
      if (signal.aborted) return;
      this.failed(job, err);
    }
  }

  /** Queues the report for its receivers when it is to be sent (once: the outbox remembers). */
  private send(stored: StoredReport, job: Job): void {
    const s = this.d.settings;
    const queue = this.d.queue();
    const wanted = s.send === 'all' || (s.send === 'alerts' && (job.alerted || stored.alerts > 0));
    if (!wanted || !queue) return;
    const queued = queue.queueReport(
      { id: stored.id, headline: stored.headline, alerts: stored.alerts, path: `/reports/${stored.id}` },
      s.receivers,
    );
    this.stats.queued += queued.length;
  }

  private failed(job: Job, err: unknown): void {
    const now = this.d.clock.now();
    const code = isZoomError(err) ? err.code : 'ERROR';
    const message = (err as Error).message;
    job.attempts++;
    job.lastError = hiddenAsLogged(this.d.log, message); // kept in pending.json: as the log shows it
    if (now - job.endedAt >= this.d.settings.giveUpAfterMs) {
      this.stats.givenUp++;
      this.jobs = this.jobs.filter((j) => j !== job);
      this.d.log.error(
        { instance: job.instance.uuid, code, attempts: job.attempts },
        `no report for ${job.instance.kind} "${job.instance.topic}": given up after reports.give_up_after (${message})`,
      );
    } else if (code === 'ZOOM_BUDGET_EXHAUSTED' || code === 'ZOOM_DAILY_LIMIT') {
      // Not a failure: the budget is kept for live polling. Tried again once a cycle has passed.
      this.stats.deferred++;
      job.notBefore = now + this.d.pollIntervals.minIntervalMs;
      this.d.log.info(
        { instance: job.instance.uuid },
        `report of "${job.instance.topic}" deferred: ${message}`,
      );
    } else if (code === 'ZOOM_RATE_LIMITED' && pausedUntil(err) > now) {
      // Not a failure: a 429 paused the category and the call was not sent. Tried again when the pause ends.
      this.stats.deferred++;
      job.notBefore = pausedUntil(err);
      this.d.log.info(
        { instance: job.instance.uuid },
        `report of "${job.instance.topic}" deferred: ${message}`,
      );
    } else {
      this.stats.failed++;
      job.notBefore =
        now + backoffDelay(job.attempts - 1, { baseMs: 60_000, capMs: 3_600_000 }, this.d.random);
      this.d.log.warn(
        { instance: job.instance.uuid, code, attempts: job.attempts },
        `report of "${job.instance.topic}" failed, will retry: ${message}`,
      );
    }
    this.save();
  }

  /** The body of a report notification at delivery: the attachment and the JSON. */
  body(id: string): ReportBody | undefined {
    const s = this.store.get(id);
    if (!s) return undefined;
    return {
      attachment: reportAttachment(s.report, id),
      json: JSON.parse(formatJson(s.report)) as Record<string, unknown>,
    };
  }
}

/** Until when a ZOOM_RATE_LIMITED error's category is paused (its resetAt), or 0. */
function pausedUntil(err: unknown): number {
  const at = isZoomError(err) ? err.details.resetAt : undefined;
  return typeof at === 'number' ? at : 0;
}
