import type { Logger } from 'pino';
import { instanceKey } from '../../normalize/events.js';
import type { NormalizeStats } from '../../normalize/stats.js';
import type { Clock } from '../../util/clock.js';
import { StateFiles } from '../../util/state-files.js';
import type { EventClockMode } from './event-clock.js';
import type { InstanceNames } from './instance-names.js';
import { PushSource, type EventTsCount, type PushTarget } from './push-source.js';
import type { PushPathsView, QosPath } from './push-paths.js';
import { PushedPresence, type PushMemory } from './pushed-presence.js';
import { WebhookReceiver, type WebhooksSettings } from './receiver.js';
import { bodyKey, ReplayGuard } from './replay-guard.js';
import { SeenStore } from './seen-store.js';
import { SkewStore } from './skew-store.js';
import { Spool } from './spool.js';
import { SummaryStore, webhooksDir } from './summary-store.js';

/** The `webhooks` section of /api/v1/status (times in ISO 8601). */
export interface WebhooksStatus {
  /** The receiver's URL once it listens. */
  url: string | null;
  /** Each app, its `event_clock` and the skew its `event_ts` is taken to run ahead by (event-clock.ts). */
  apps: { name: string; path: string; event_clock: EventClockMode; skew_ms: number }[];
  takeover_after_ms: number;
  /** Instances whose QoS comes by push now. */
  on_push: number;
  calls_saved: number;
  takeovers: number;
  instances: { instance: string; path: QosPath; last_push: string }[];
  /** Requests by outcome, refusals by reason, events by name (since start). */
  requests: Record<string, number>;
  refused: Record<string, number>;
  events: Record<string, number>;
  started: number;
  ended: number;
  samples: { new: number; late: number; duplicate: number; future: number };
  /** QoS events whose `event_ts` was not taken as Zoom's clock (ahead, past), and steady skews adopted. */
  event_ts: Record<EventTsCount, number>;
  samples_after_end: number;
  summaries_dropped: number;
  spool_backlog_bytes: number;
}

/**
 * The push source as a whole: the spool in `stateDir/webhooks`, the receiver that fills it and
 * the PushSource that empties it into the scheduler. Records left from a previous run (a
 * crash after Zoom got its 200) are handed on at start. The replay guard's memory is loaded
 * from its saved buckets and then from the spool (which holds everything accepted since the
 * buckets were last saved), so a replay or Zoom's redelivery is still recognised after a
 * restart; the buckets are saved before the spool is emptied and at stop. The number and topic
 * of each pushed instance (the target's `names`) are loaded before the spool's records are
 * handed on, so that they keep them after a restart while discovery does not answer. So are
 * the times each participant was last pushed (PushedPresence: saved before the spool's done
 * offset), so that a poll after a restart does not take one pushed just before it as gone.
 */
export class Webhooks {
  readonly spool: Spool;
  readonly receiver: WebhookReceiver;
  readonly source: PushSource;
  readonly guard: ReplayGuard;
  readonly summaries: SummaryStore;
  private readonly seen: SeenStore;
  private readonly skews: SkewStore;
  private readonly clock: Clock;
  url: string | undefined;

  constructor(
    readonly settings: WebhooksSettings,
    private readonly target: PushTarget & {
      paths: PushPathsView & PushMemory;
      lifecycle: { started: number; ended: number; samplesAfterEnd: number };
      names: InstanceNames;
    },
    deps: {
      clock: Clock;
      log: Logger;
      normalizeStats: NormalizeStats;
      stateDir: string;
      stateFiles?: StateFiles;
      /** `rules.gap_tolerance`: how long a pushed participant is kept present across a restart (at least takeover_after). */
      gapToleranceMs?: number;
      /** After each batch of QoS records is evaluated: when they were received (PushSource). */
      handedOn?: (receivedAt: readonly number[]) => void;
      observeAnswer?: (ms: number) => void;
      /** Delay before the spool's done offset is written (tests; 1 s by default). */
      spoolSaveDelayMs?: number;
    },
  ) {
    const log = deps.log.child({ component: 'webhooks' });
    const dir = webhooksDir(deps.stateDir);
    const files = deps.stateFiles ?? new StateFiles(log, () => deps.clock.now());
    this.spool = new Spool(dir, undefined, files, deps.spoolSaveDelayMs);
    this.guard = new ReplayGuard(2 * settings.maxAgeMs);
    this.seen = new SeenStore(dir, files);
    this.skews = new SkewStore(dir, files);
    const now = deps.clock.now();
    this.summaries = new SummaryStore(deps.stateDir, files, now);
    this.clock = deps.clock;
    this.restore(dir, files, log, now, Math.max(deps.gapToleranceMs ?? 0, settings.takeoverAfterMs));
    this.spool.beforeCompact = () => this.seen.save(this.guard, deps.clock.now());
    this.source = new PushSource(target, {
      clock: deps.clock,
      log,
      normalizeStats: deps.normalizeStats,
      done: (end) => this.spool.markDone(end),
      summaries: this.summaries,
      eventClocks: new Map(settings.apps.map((a) => [a.name, a.eventClock ?? 'zoom'])),
      skews: this.skews,
      ...(deps.handedOn ? { handedOn: deps.handedOn } : {}),
    });
    this.receiver = new WebhookReceiver(settings, {
      clock: deps.clock,
      log,
      spool: this.spool,
      guard: this.guard,
      onRecord: (e) => this.source.enqueue(e),
      ...(deps.observeAnswer ? { observeAnswer: deps.observeAnswer } : {}),
    });
    if (this.spool.recovered.length)
      log.info(
        { records: this.spool.recovered.length },
        'handing on webhook events received before a restart',
      );
    for (const e of this.spool.recovered) this.source.enqueue(e);
  }

  /**
   * What is kept from before a restart: the requests seen, the pushed instances' names, and when
   * each participant was last pushed (within `keepMs`), saved from now on before the spool's
   * done offset (PushedPresence).
   */
  private restore(dir: string, files: StateFiles, log: Logger, now: number, keepMs: number): void {
    const presence = new PushedPresence(dir, files, keepMs);
    const kept = {
      bodies: this.remember(now),
      instances: this.target.names.persist(dir, files, now),
      participants: presence.load(this.target.paths, now),
    };
    if (kept.bodies || kept.instances || kept.participants)
      log.info(kept, 'remembering requests, pushed instances and participants from before a restart');
    this.spool.beforeDone = (final) => presence.save(this.target.paths, this.clock.now(), final);
    this.spool.releaseAfter = { now: () => this.clock.now(), ms: keepMs };
  }

  /** The replay guard's memory from its saved buckets, then from the spool; the bodies loaded from the buckets. */
  private remember(now: number): number {
    const loaded = this.seen.load(this.guard, now);
    for (const r of [...this.spool.handedOn, ...this.spool.recovered.map((e) => e.record)])
      this.guard.remember({ sig: r.sig ?? '', body: bodyKey(r.body) }, r.at);
    this.guard.prune(now);
    return loaded;
  }

  async listen(): Promise<string> {
    this.url = await this.receiver.listen();
    return this.url;
  }

  /** For /api/v1/status: the path each pushed instance is on, calls saved, what was refused (reads only). */
  status(now: number): WebhooksStatus {
    const paths = this.target.paths;
    const instances = paths.instances(now).map((ref) => {
      const key = instanceKey(ref);
      return {
        instance: key,
        path: paths.peek(key, now),
        last_push: new Date(paths.lastPushAt(key)!).toISOString(),
      };
    });
    return {
      url: this.url ?? null,
      apps: this.settings.apps.map((a) => ({
        name: a.name,
        path: a.path,
        event_clock: a.eventClock ?? 'zoom',
        skew_ms: this.source.clockOf(a.name).skewMs,
      })),
      takeover_after_ms: this.settings.takeoverAfterMs,
      on_push: instances.filter((i) => i.path === 'push').length,
      calls_saved: paths.callsSaved,
      takeovers: paths.takeovers,
      instances,
      requests: Object.fromEntries([...this.receiver.stats.outcomes]),
      refused: Object.fromEntries([...this.receiver.stats.refused]),
      events: Object.fromEntries([...this.receiver.stats.events]),
      started: this.target.lifecycle.started,
      ended: this.target.lifecycle.ended,
      samples: {
        new: this.source.stats.samples,
        late: this.source.stats.late,
        duplicate: this.source.stats.duplicates,
        future: this.source.stats.future,
      },
      event_ts: { ...this.source.stats.eventTs },
      samples_after_end: this.target.lifecycle.samplesAfterEnd,
      summaries_dropped: this.summaries.dropped,
      spool_backlog_bytes: this.spool.backlogBytes,
    };
  }

  async close(): Promise<void> {
    await this.receiver.close();
    this.source.flush();
    this.summaries.flush();
    this.target.names.flush();
    const saved = this.seen.save(this.guard, this.clock.now());
    this.skews.save();
    await this.spool.close();
    if (!saved)
      throw new Error('cannot write the memory of webhook requests seen (state.dir/webhooks/seen-*.json)');
  }
}
