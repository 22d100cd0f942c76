import type { NormalizeStats } from '../normalize/stats.js';
import { plural } from '../util/words.js';
import type { Logger } from 'pino';
import { SampleDeduplicator } from '../normalize/dedup.js';
import { sleepUnless, type Clock } from '../util/clock.js';
import { LogOnce } from '../util/log-once.js';
import type { ZoomClient } from '../zoom/client.js';
import { isZoomError } from '../zoom/errors.js';
import { CoverageTracker } from './coverage.js';
import { isDue } from './due.js';
import type { Plan } from './planner.js';
import { instanceKey, type SampleSink } from '../normalize/events.js';
import type { LiveInstance, PollSource } from './source.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { PollSettings } from './settings.js';
import { PushPaths } from './webhooks/push-paths.js';
import type { PushedCounts } from './webhooks/push-source.js';
import { notFuture } from './future.js';
import { JoinTracker, REJOIN_GRACE_MS } from './joins.js';
import { linkPushed } from './push-link.js';
import type { CycleChoice, CycleReport, PollTally } from './cycle-parts.js';
import { coveredSaving, planFor, type Tracked } from './cycle-plan.js';

export type { CycleReport } from './cycle-parts.js';
import { holdingPlan } from './budget-block.js';

export interface SchedulerOptions {
  sources: readonly PollSource[];
  clock: Clock;
  log: Logger;
  sink: SampleSink;
  poll: PollSettings;
  /** Whether an instance has firing or pending alerts (the rule engine answers). */
  isAlerting?: (instanceKey: string) => boolean;
  /** With webhooks: polling takes an instance back once its pushes stopped this long. */
  takeoverAfterMs?: number;
  /** Where samples refused as dated ahead of Zoom's clock are counted (logged once by the daemon). */
  normalizeStats?: NormalizeStats;
}

/** What became of pushed samples: handed to live rules (new or refining their minute), or late. */
/** Discovery may list an instance for this long after Zoom pushed its `*.ended`: not live again. */
const ENDED_LAG_MS = 5 * 60_000;
/** Ended instances remembered (for late pushes and a lagging discovery); the oldest go first. */
const MAX_ENDED = 10_000;

/** Samples older than this are not checked for repeats any more (Zoom's live window is minutes). */
const DEDUP_RETENTION_MS = 3 * 3_600_000;

/**
 * The polling loop: discovers live instances, plans each cycle inside the rate limits and
 * the daily budget, polls the chosen instances, and hands de-duplicated samples on in time
 * order. Cycles never overlap: a slow one delays the next.
 */
export class Scheduler {
  private readonly tracked = new Map<string, Tracked>();
  private readonly lastDiscovery = new Map<PollSource, number>();
  private readonly dedup = new SampleDeduplicator(DEDUP_RETENTION_MS);
  readonly coverage: CoverageTracker;
  /** Which instances pushes cover (QSS webhooks), and the calls that saved. */
  readonly paths: PushPaths;
  private readonly once: LogOnce;
  /** Instances a pushed `*.ended` ended, with their end time: late pushes of them are not evaluated. */
  private readonly endedByPush = new Map<string, number>();
  /** What `*.started` / `*.ended` events did, and pushed samples dropped as from before an end. */
  readonly lifecycle = { started: 0, ended: 0, samplesAfterEnd: 0 };
  /** Joins of pushed instances of a kind no poll source reads (a poll source keeps its own). */
  private readonly pushJoins = new JoinTracker(REJOIN_GRACE_MS);
  /**
   * Pushed instances discovery does not list (a UUID it never listed, or a kind no source
   * polls), with the ref their pushes gave: ended once their pushes stop (PushPaths).
   */
  private readonly unlisted = new Map<string, InstanceRef>();
  /** Instances with a pushed leave held for a rejoin, for reporting it when the grace passes. */
  private readonly heldRefs = new Map<string, InstanceRef>();
  lastCycle: CycleReport | undefined;
  readonly lastPlans = new Map<ZoomClient, Plan>();
  private cycling = false;
  cycles = 0;

  constructor(private readonly opts: SchedulerOptions) {
    this.coverage = new CoverageTracker(opts.poll.freshAgeMs);
    // A pushed instance discovery never listed has no poll to take it back: once its pushes
    // stop, it ends (not counted as a takeover).
    this.paths = new PushPaths(
      opts.takeoverAfterMs ?? 0,
      (key) => this.tracked.has(key),
      (key, now) => this.unlistedEnded(key, now),
    );
    this.once = new LogOnce(opts.log, () => opts.clock.now());
  }

  /** A cycle of run() is under way: work of lower priority (reports) waits for its end. */
  get inCycle(): boolean {
    return this.cycling;
  }

  /** True once every source has listed its live instances at least once. */
  discoveryComplete(): boolean {
    return this.opts.sources.every((s) => this.lastDiscovery.has(s));
  }

  /**
   * A pushed instance discovery never listed, whose pushes stopped `takeoverAfterMs` ago: nothing
   * will bring its QoS again, so it ends as a pushed `*.ended` would end it. Its alerts resolve
   * (reason `ended`), and it leaves the live state (/api/v1/instances, /metrics), the coverage
   * and the joins. Pushes that come again later bring it back.
   */
  private unlistedEnded(key: string, now: number): void {
    const ref = this.unlisted.get(key);
    this.unlisted.delete(key);
    this.coverage.ended(key);
    this.pushJoins.forget(key);
    this.heldRefs.delete(key);
    if (!ref) return;
    for (const s of this.opts.sources) if (s.kind === ref.kind) s.forget(ref);
    this.opts.log.info(
      { kind: ref.kind, id: ref.id, uuid: ref.uuid },
      `${ref.kind} ${ref.uuid}: no push for ${Math.round((this.opts.takeoverAfterMs ?? 0) / 1000)} s and never listed by discovery; taken as ended`,
    );
    this.opts.sink.handle({ type: 'ended', instance: ref, at: now });
  }

  /**
   * Ends the pushed instances discovery never listed whose pushes stopped `takeoverAfterMs`
   * before `now` (each cycle does; so do the status API, /metrics and the instances API before
   * they read, so that none shows one that has expired).
   */
  expireUnlisted(now: number): void {
    this.paths.expireUnpolled(now);
  }

  /**
   * Keys of the instances live now: those discovery lists and the pushed ones it does not list
   * whose pushes have not stopped for `takeoverAfterMs` (a ghost ends only by that expiry or a
   * pushed `*.ended`, never because discovery does not list it).
   */
  liveKeys(now: number): Set<string> {
    this.expireUnlisted(now);
    return new Set([...this.tracked.keys(), ...this.unlisted.keys()]);
  }

  /** Live instances known now. */
  instances(): LiveInstance[] {
    return [...this.tracked.values()].map((t) => t.instance);
  }

  private ended(key: string, at: number): void {
    const t = this.tracked.get(key);
    if (!t) return;
    this.tracked.delete(key);
    t.source.forget(t.instance.ref);
    this.pushJoins.forget(key);
    this.heldRefs.delete(key);
    this.coverage.ended(key);
    this.paths.forget(key);
    this.opts.log.info(
      { kind: t.instance.ref.kind, id: t.instance.ref.id, topic: t.instance.ref.topic },
      `${t.instance.ref.kind} "${t.instance.ref.topic}" ended`,
    );
    this.opts.sink.handle({ type: 'ended', instance: t.instance.ref, at });
  }

  /**
   * Lists the source's live instances when discovery is due at the cycle that started at
   * `cycleStart`. Measured between cycle starts (a source listed after another's calls is not
   * later by them) and with isDue's slack: a cycle that starts a little early (a timer waking
   * early, a scaled clock) must not push discovery, and a short instance with it, to the cycle after.
   */
  private async discover(source: PollSource, signal: AbortSignal, cycleStart: number): Promise<void> {
    const now = this.opts.clock.now();
    const last = this.lastDiscovery.get(source);
    if (last !== undefined && !isDue(cycleStart - last, this.opts.poll.discoveryIntervalMs)) return;
    let live: LiveInstance[];
    try {
      live = await source.discover(signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const code = isZoomError(err) ? err.code : 'ERROR';
      this.once.warn(
        `discover:${source.kind}:${code}`,
        { kind: source.kind, code, err: (err as Error).message },
        `could not list live ${source.kind}s; keeping the last list`,
      );
      return;
    }
    this.lastDiscovery.set(source, cycleStart);
    const seen = new Set<string>();
    for (const inst of live) {
      const key = instanceKey(inst.ref);
      const endedAt = this.endedByPush.get(key);
      if (endedAt !== undefined && now - endedAt < ENDED_LAG_MS) continue; // the list lags the event
      seen.add(key);
      const known = this.tracked.get(key);
      if (known) {
        known.instance.ref = inst.ref;
        if (known.lastPolledAt === undefined) known.instance.participants = inst.participants;
      } else {
        this.tracked.set(key, { source, instance: inst });
        this.unlisted.delete(key); // pushed before discovery listed it: polling knows it now
        this.opts.log.info(
          { kind: inst.ref.kind, id: inst.ref.id, topic: inst.ref.topic, participants: inst.participants },
          `discovered ${inst.ref.kind} "${inst.ref.topic}" (${plural(inst.participants, 'participant')})`,
        );
      }
    }
    for (const [key, t] of this.tracked) if (t.source === source && !seen.has(key)) this.ended(key, now);
  }

  /**
   * Samples pushed by Zoom (QSS webhooks): de-duplicated with the polled ones by join and
   * `date_time`, and handed on; the instance is on the push path from now on. `zoomNow` is
   * Zoom's clock when it sent them (the event's `event_ts`): samples dated far ahead of it are
   * refused (poll/future.ts).
   */
  pushed(instance: InstanceRef, samples: readonly QosSample[], zoomNow?: number): PushedCounts {
    const now = this.opts.clock.now();
    const key = instanceKey(instance);
    const count = samples.length;
    samples = notFuture(samples, zoomNow ?? now, this.opts.normalizeStats);
    const future = count - samples.length;
    if (!samples.length) return { fresh: 0, late: 0, future };
    const endedAt = this.endedByPush.get(key);
    if (endedAt !== undefined) {
      // Zoom's retry of a minute from before the end: its alerts were resolved, not again.
      const after = samples.filter((s) => s.time > endedAt);
      this.lifecycle.samplesAfterEnd += samples.length - after.length;
      if (!after.length) return { fresh: 0, late: 0, future };
      this.endedByPush.delete(key); // samples after the end: the instance goes on
      samples = after;
    }
    this.paths.pushed(instance, now);
    if (!this.tracked.has(key)) this.unlisted.set(key, instance);
    linkPushed(this.joinsFor(instance.kind), instance, samples);
    let late = 0;
    // Late minutes (older than the join's newest, never seen) are counted, not judged by live rules.
    // Pushed: the join's newest sample is kept, for a stream type Zoom pushes in an event of its own.
    const fresh = this.dedup.filter(samples, now, () => late++, true);
    this.coverage.pushed(key, fresh, now);
    if (fresh.length) this.opts.sink.handle({ type: 'samples', samples: fresh });
    this.leaveHeld(now);
    return { fresh: fresh.length, late, future };
  }

  /** The join tracker polling uses for the instance's kind, so a join has one key whichever path brings it. */
  private joinsFor(kind: InstanceRef['kind']): JoinTracker {
    return this.opts.sources.find((s) => s.kind === kind)?.joins ?? this.pushJoins;
  }

  /** Leaves held for a rejoin whose grace has passed: reported now, once. */
  private leaveHeld(now: number): void {
    if (!this.heldRefs.size) return;
    const trackers = new Set([this.pushJoins, ...this.opts.sources.map((s) => s.joins)]);
    for (const t of trackers)
      for (const { instance, key } of t.dueLeaves(now)) {
        const ref = this.heldRefs.get(instance);
        if (!ref) continue;
        this.coverage.left(instance, key);
        this.opts.sink.handle({ type: 'left', instance: ref, participant: key, at: now });
      }
  }

  /** The instance's ref as discovery knows it (with its topic), for pushed events that lack it. */
  known(key: string): InstanceRef | undefined {
    return this.tracked.get(key)?.instance.ref;
  }

  /**
   * `*.started`: the instance is tracked at once (before discovery lists it) and expected to be
   * pushed, so polling leaves its QoS list alone until `takeoverAfterMs` passes without a push.
   */
  pushedStarted(instance: InstanceRef): void {
    const now = this.opts.clock.now();
    const key = instanceKey(instance);
    this.lifecycle.started++;
    this.endedByPush.delete(key);
    this.paths.pushed(instance, now);
    if (this.tracked.has(key)) return;
    const source = this.opts.sources.find((s) => s.kind === instance.kind);
    if (!source) {
      this.unlisted.set(key, instance);
      return;
    }
    this.tracked.set(key, { source, instance: { ref: instance, participants: 1 } });
    this.unlisted.delete(key);
    this.opts.log.info(
      { kind: instance.kind, id: instance.id, topic: instance.topic },
      `${instance.kind} "${instance.topic}" started (pushed)`,
    );
  }

  /**
   * `*.ended`: the instance's alerts resolve now rather than at the next discovery; pushes of
   * samples up to its end that come later (Zoom's retries) are dropped and counted.
   */
  pushedEnded(instance: InstanceRef, endTime?: number): void {
    const now = this.opts.clock.now();
    const key = instanceKey(instance);
    this.lifecycle.ended++;
    if (this.endedByPush.size >= MAX_ENDED) this.endedByPush.delete(this.endedByPush.keys().next().value!);
    this.endedByPush.set(key, Math.min(endTime ?? now, now));
    if (this.tracked.has(key)) {
      this.ended(key, now);
      return;
    }
    // Pushed but never discovered: end what the pushes started.
    this.unlisted.delete(key);
    for (const s of this.opts.sources) if (s.kind === instance.kind) s.forget(instance);
    this.pushJoins.forget(key);
    this.heldRefs.delete(key);
    this.coverage.ended(key);
    this.paths.forget(key);
    this.opts.sink.handle({ type: 'ended', instance, at: now });
  }

  /**
   * A join the pushes said has left (`participant_left`, where subscribed). A guest's alerts
   * resolve as left now; a signed-in person's leave is held for the rejoin grace, as polling
   * holds it, so that a rejoin keeps their alert.
   */
  pushedLeft(instance: InstanceRef, join: string, person?: string, leaveTime?: number): void {
    const now = this.opts.clock.now();
    const ik = instanceKey(instance);
    const at = Math.min(leaveTime ?? now, now);
    const r = this.joinsFor(instance.kind).leftPushed(ik, { join, person, joinTime: 0 }, at);
    if (r.left) {
      this.coverage.left(ik, r.key);
      this.opts.sink.handle({ type: 'left', instance, participant: r.key, at: now });
    } else this.heldRefs.set(ik, instance);
    this.leaveHeld(now);
  }

  /** The cycle's choice: a plan per Zoom account over the instances on the poll path. */
  private choose(clients: readonly ZoomClient[], now: number, all: boolean): CycleChoice {
    const choice: CycleChoice = {
      selected: [],
      deferred: 0,
      pushed: 0,
      callsSaved: 0,
      intervalMs: 0,
      fullCycleMs: 0,
    };
    this.paths.expireUnpolled(now);
    for (const client of clients) {
      const onClient = [...this.tracked].filter(([, t]) => t.source.client === client);
      const entries = onClient.filter(([key]) => this.paths.path(key, now) === 'poll');
      const saving = coveredSaving(this.opts, client, onClient, entries, now);
      choice.pushed += saving.pushed;
      choice.callsSaved += saving.callsSaved;
      const p = planFor(this.opts, client, entries);
      this.lastPlans.set(client, p);
      choice.intervalMs = Math.max(choice.intervalMs, p.intervalMs);
      choice.fullCycleMs = Math.max(choice.fullCycleMs, p.fullCycleMs);
      // `all`: one full cycle whatever the pacing (qoswatch once); the budget still holds per call.
      choice.selected.push(...(all ? [...p.selected, ...p.deferred] : p.selected));
      choice.deferred += all ? 0 : p.deferred.length;
    }
    return choice;
  }

  /** One chosen instance polled: its fresh samples and who left go into the cycle's tally. */
  private async pollOne(key: string, t: Tracked, signal: AbortSignal, tally: PollTally): Promise<void> {
    const ref = t.instance.ref;
    const result = await t.source.poll(t.instance, signal, (join) => this.dedup.seenUpTo(ref, join));
    const now = this.opts.clock.now();
    t.lastPolledAt = now;
    if (result.ended) {
      this.ended(key, now);
      return;
    }
    tally.participants += result.present.length;
    this.coverage.present(key, result.present, now);
    // Judged against Zoom's clock as its answer gave it, not ours (a simulator may run ahead).
    const judged = notFuture(result.samples, t.source.client.zoomNow() ?? now, this.opts.normalizeStats);
    const fresh = this.dedup.filter(judged, now);
    this.coverage.samples(key, fresh);
    tally.samples += fresh.length;
    for (const s of fresh) tally.cycleSamples.push(s);
    for (const p of result.left) tally.after.push({ type: 'left', instance: ref, participant: p, at: now });
    tally.after.push({ type: 'polled', instance: ref, present: result.present, at: now });
  }

  /** A failed poll: counted and logged once per code; out of budget, the rest of the queue goes. */
  private pollFailed(t: Tracked, err: unknown, queue: string[], tally: PollTally): void {
    tally.errors++;
    const code = isZoomError(err) ? err.code : 'ERROR';
    this.once.warn(
      `poll:${code}`,
      { instance: t.instance.ref.uuid, code, err: (err as Error).message },
      `could not poll ${t.instance.ref.kind} "${t.instance.ref.topic}"`,
    );
    // Out of budget: the rest of this cycle would fail the same way.
    if (code === 'ZOOM_DAILY_LIMIT' || code === 'ZOOM_BUDGET_EXHAUSTED') queue.length = 0;
  }

  /**
   * The chosen instances polled, `concurrency` at a time. The cycle's samples go on as one event
   * once every poll is done, then what each poll said of who left: group rules (meeting, shared
   * cause) see every meeting's readings of a minute together, at start-up (each poll a backlog)
   * as in steady state, so a cause seen only across meetings explains the meeting and
   * participant alerts from their first minute.
   */
  private async pollChosen(selected: readonly string[], signal: AbortSignal): Promise<PollTally> {
    const tally: PollTally = { samples: 0, errors: 0, participants: 0, cycleSamples: [], after: [] };
    const queue = [...selected];
    const worker = async (): Promise<void> => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        const t = this.tracked.get(key);
        if (!t) continue;
        try {
          await this.pollOne(key, t, signal, tally);
        } catch (err) {
          if (signal.aborted) return;
          this.pollFailed(t, err, queue, tally);
        }
      }
    };
    try {
      await Promise.all(
        Array.from({ length: Math.min(this.opts.poll.concurrency, Math.max(1, selected.length)) }, worker),
      );
    } finally {
      // Also when the cycle was cut short: the de-duplicator has counted these samples as seen.
      if (tally.cycleSamples.length) this.opts.sink.handle({ type: 'samples', samples: tally.cycleSamples });
      for (const e of tally.after) this.opts.sink.handle(e);
    }
    return tally;
  }

  /** One cycle: discovery when due, a plan per Zoom account, then the polls. */
  async cycle(signal: AbortSignal, options: { all?: boolean } = {}): Promise<CycleReport> {
    const clock = this.opts.clock;
    const startedAt = clock.now();
    const clients = [...new Set(this.opts.sources.map((s) => s.client))];
    const callsBefore = clients.reduce((n, c) => n + c.stats.total(), 0);
    this.leaveHeld(startedAt);
    for (const source of this.opts.sources) await this.discover(source, signal, startedAt);
    const choice = this.choose(clients, startedAt, options.all ?? false);
    const planned = choice.selected.flatMap((k) => this.tracked.get(k) ?? []);
    const tally = await holdingPlan(planned, () => this.pollChosen(choice.selected, signal));
    const finishedAt = clock.now();
    const report: CycleReport = {
      startedAt,
      finishedAt,
      intervalMs: choice.intervalMs || this.opts.poll.minIntervalMs,
      fullCycleMs: choice.fullCycleMs,
      live: this.tracked.size,
      polled: choice.selected.length,
      deferred: choice.deferred,
      participants: tally.participants,
      samples: tally.samples,
      calls: clients.reduce((n, c) => n + c.stats.total(), 0) - callsBefore,
      errors: tally.errors,
      pushed: choice.pushed,
      callsSaved: choice.callsSaved,
      coverage: this.coverage.report(finishedAt),
    };
    this.paths.callsSaved += choice.callsSaved;
    this.lastCycle = report;
    this.cycles++;
    return report;
  }

  /**
   * Cycles until `stop` aborts. In-flight calls get `abortCalls`, which the caller aborts
   * once the shutdown grace period is over.
   */
  async run(stop: AbortSignal, abortCalls: AbortSignal, onCycle?: (r: CycleReport) => void): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (stop.aborted) resolve();
      stop.addEventListener('abort', () => resolve(), { once: true });
    });
    while (!stop.aborted) {
      let wait = this.opts.poll.minIntervalMs;
      try {
        this.cycling = true;
        const r = await this.cycle(abortCalls);
        this.cycling = false;
        onCycle?.(r);
        wait = r.startedAt + r.intervalMs - this.opts.clock.now();
      } catch (err) {
        this.cycling = false;
        if (abortCalls.aborted) return;
        this.opts.log.error({ err }, 'poll cycle failed; trying again next cycle');
      }
      if (wait > 0 && !stop.aborted) await sleepUnless(this.opts.clock, wait, stopped).catch(() => undefined);
    }
  }
}
