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
import type { InstanceRef } from '../normalize/sample.js';
import type { Discovery, LiveInstance, PollSource } from './source.js';
import type { PollSettings } from './settings.js';
import { notFuture } from './future.js';
import { PushHandler } from './push-target.js';
import { withPushed } from './webhooks/push-paths.js';
import { pollingNeed } from './polling-need.js';
import type { CycleChoice, CycleReport, PollTally } from './cycle-parts.js';
import { coveredSaving, planFor, type Tracked } from './cycle-plan.js';

export type { CycleReport } from './cycle-parts.js';
import { holdingPlan } from './budget-block.js';
import { BudgetShortfall } from './budget-shortfall.js';
import { EndedListed, RECHECK_AFTER_MS } from './ended-listed.js';
import { pollPresence } from './unidentified.js';
import { rateLimited } from './rate-limit-pause.js';
import { discoveryCut, discoveryFailed } from './discovery-log.js';
import { takeCount, uncounted } from './participant-count.js';

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
  /**
   * With webhooks: an instance on the push path is still polled once this often, so that a
   * participant who joined since its last poll and whom Zoom does not push is found (and takes
   * the instance back to polling). Undefined: never.
   */
  recheckEveryMs?: number | undefined;
  /** Where samples refused as dated ahead of Zoom's clock are counted (logged once by the daemon). */
  normalizeStats?: NormalizeStats;
  /** `rules.gap_tolerance`: pushed samples older than this are late, never judged live (stale.ts). */
  gapToleranceMs: number;
}

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
  /** Instances a poll found ended (404, code 3001) that discovery still lists (ended-listed.ts). */
  private readonly endedListed = new EndedListed();
  private readonly dedup = new SampleDeduplicator(DEDUP_RETENTION_MS);
  readonly coverage: CoverageTracker;
  /**
   * What Zoom's pushes (QSS webhooks) do: the webhooks' target, and which instances pushes cover
   * (`pushes.paths`), those discovery does not track among them.
   */
  readonly pushes: PushHandler;
  private readonly once: LogOnce;
  private last: CycleReport | undefined;
  private readonly plans = new Map<ZoomClient, Plan>();
  private readonly shortfall: BudgetShortfall;
  private cycling = false;
  private done = 0;
  private failed = 0;

  constructor(private readonly opts: SchedulerOptions) {
    this.coverage = new CoverageTracker(opts.poll.freshAgeMs);
    const tracked = this.tracked;
    this.pushes = new PushHandler({
      ...opts,
      dedup: this.dedup,
      coverage: this.coverage,
      tracked: {
        has: (key) => tracked.has(key),
        listed: (key) => tracked.get(key)?.listed === true,
        ref: (key) => tracked.get(key)?.instance.ref,
        start: (source, ref) => tracked.set(instanceKey(ref), { source, instance: uncounted(ref) }),
        end: (key, at) => this.ended(key, at),
        present: (key) => {
          const t = tracked.get(key);
          return t?.present ?? (t?.listed ? 'unpolled' : undefined);
        },
      },
    });
    this.once = new LogOnce(opts.log, () => opts.clock.now());
    this.shortfall = new BudgetShortfall(opts.log);
  }

  /** What the last completed cycle did (undefined before the first). */
  get lastCycle(): CycleReport | undefined {
    return this.last;
  }

  /** The plan of a Zoom account's last cycle (undefined before its first). */
  lastPlan(client: ZoomClient): Plan | undefined {
    return this.plans.get(client);
  }

  /** Cycles completed. */
  get cycles(): number {
    return this.done;
  }

  /** Cycles of run() that failed as a whole (thrown, not completed): readiness after start counts them. */
  get failedCycles(): number {
    return this.failed;
  }

  /** A cycle of run() is under way: work of lower priority (reports) waits for its end. */
  get inCycle(): boolean {
    return this.cycling;
  }

  /** Calls live polling of the Zoom account needs until its budget's reset, at its last plan's pace. */
  pollingNeed(client: ZoomClient): number {
    const sources = this.opts.sources.filter((s) => s.client === client).length;
    return pollingNeed(this.opts.clock.now(), this.plans.get(client), sources, this.opts.poll);
  }

  /** True once every source has listed its live instances at least once. */
  discoveryComplete(): boolean {
    return this.opts.sources.every((s) => this.lastDiscovery.has(s));
  }

  /**
   * Ends the pushed instances discovery never listed whose pushes stopped `takeoverAfterMs`
   * before `now` (each cycle does; so do the status API, /metrics and the instances API before
   * they read, so that none shows one that has expired).
   */
  expireUnlisted(now: number): void {
    this.pushes.paths.expireUnpolled(now);
  }

  /**
   * Keys of the instances live now: those discovery lists and the pushed ones it does not list
   * whose pushes have not stopped for `takeoverAfterMs` (a ghost ends only by that expiry or a
   * pushed `*.ended`, never because discovery does not list it). The pushed ones discovery does
   * not list are those the push paths know and the scheduler does not track, and those a pushed
   * `*.started` made it track (kept in `tracked`, never `listed` yet).
   */
  liveKeys(now: number): Set<string> {
    this.expireUnlisted(now);
    return new Set([...this.tracked.keys(), ...this.pushes.paths.instances().map(instanceKey)]);
  }

  /**
   * Tracks the instances of `refs` that nothing tracks (after a restart, those of restored
   * alerts while the live lists cannot be used): taken as listed before the restart (they had
   * alerts, so they were live), each is polled like any other; a 404/3001 ends it, a later whole
   * list that does not show it ends it, a later unusable list leaves it. Returns how many.
   *
   * One pushed since the restart is adopted too: known only from its pushes, it was a ghost to
   * the push paths, which end a ghost once its pushes stop for takeover_after. Its alerts then
   * resolved as ended while it went on, and nothing polled it again (review, stop 38:
   * test/e2e/push-restart-adopt.test.ts). Taken as listed, polling takes it over instead.
   */
  adopt(refs: readonly InstanceRef[], now: number): number {
    let adopted = 0;
    for (const ref of refs) {
      const key = instanceKey(ref);
      const source = this.opts.sources.find((s) => s.kind === ref.kind);
      if (
        !source ||
        this.tracked.has(key) ||
        this.endedListed.has(key) ||
        this.pushes.endedRecently(key, now)
      )
        continue;
      source.listed.add(ref.uuid);
      this.tracked.set(key, { source, instance: uncounted(ref), listed: true, adopted: true });
      this.opts.log.info(
        { kind: ref.kind, id: ref.id, topic: ref.topic },
        `${ref.kind} "${ref.topic}" had alerts before the restart and the live list cannot show it yet: polling it`,
      );
      adopted++;
    }
    return adopted;
  }

  /**
   * An instance adopted (taken as listed before the restart) that a whole list does not show while
   * its pushes go on was a ghost before the restart: it is left to its pushes again, as a ghost
   * (it ends by a pushed `*.ended` or once they stop), instead of ending with its alerts resolved,
   * to fire again at its next push.
   */
  private leftToPushes(key: string, t: Tracked, now: number): boolean {
    const last = this.pushes.paths.lastPushAt(key);
    if (!t.adopted || last === undefined || now - last > (this.opts.takeoverAfterMs ?? 0)) return false;
    t.listed = false;
    delete t.adopted;
    delete t.present;
    delete t.lastPolledAt;
    return true;
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
    this.pushes.forget(key);
    this.coverage.ended(key);
    // Polled again after it ended, with nothing answered since: its end was said and handed on.
    if (t.recheck) return;
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
  private async discover(source: PollSource, signal: AbortSignal, cycleStart: number): Promise<boolean> {
    const now = this.opts.clock.now();
    const last = this.lastDiscovery.get(source);
    if (last !== undefined && !isDue(cycleStart - last, this.opts.poll.discoveryIntervalMs)) return true;
    // Its category paused by Zoom's 429: listed at a later cycle, the last list kept meanwhile.
    if (rateLimited(source, 'Resource-intensive', this.once)) return true;
    let found: Discovery;
    try {
      found = await source.discover(signal);
    } catch (err) {
      if (signal.aborted) throw err;
      discoveryFailed(this.once, source, err);
      return false;
    }
    const { live, unusable, cut } = found;
    // A list with entries it could not use, or cut as a page loop, is taken for what it shows, and
    // ends nothing: an entry without its uuid, or one past the cut, may stand for any live
    // instance. Discovery is asked again next cycle.
    const partial = unusable !== undefined || cut !== undefined;
    if (unusable) discoveryFailed(this.once, source, unusable, true);
    if (cut !== undefined) discoveryCut(this.once, source, cut);
    if (!partial) this.lastDiscovery.set(source, cycleStart);
    const seen = new Set<string>();
    for (const inst of live) {
      const key = instanceKey(inst.ref);
      if (this.pushes.endedRecently(key, now)) continue; // the list lags the event
      if (this.endedListed.has(key)) {
        seen.add(key); // a poll found it ended; the list lags that too
        if (this.endedListed.recheckDue(key, now)) this.recheck(source, inst);
        continue;
      }
      seen.add(key);
      this.coverage.listed(key, inst.participants, now);
      const known = this.tracked.get(key);
      if (known) {
        known.listed = true;
        delete known.adopted;
        known.instance.ref = inst.ref;
        if (known.lastPolledAt === undefined) takeCount(known.instance, inst);
      } else {
        this.tracked.set(key, { source, instance: inst, listed: true });
        // A guessed count (the list gave none it could use) is said as not known, not as 1.
        const count = inst.countGuessed ? { countGuessed: true } : { participants: inst.participants };
        this.opts.log.info(
          { kind: inst.ref.kind, id: inst.ref.id, topic: inst.ref.topic, ...count },
          `discovered ${inst.ref.kind} "${inst.ref.topic}" (${inst.countGuessed ? 'participants not known until its first poll' : plural(inst.participants, 'participant')})`,
        );
      }
    }
    if (partial) return false;
    // Only what it listed before: one a pushed `*.started` tracks and the list does not show yet is
    // left to the pushes (it ends by a pushed `*.ended`, or once its pushes stop: push-target.ts).
    for (const [key, t] of this.tracked)
      if (t.source === source && t.listed && !seen.has(key) && !this.leftToPushes(key, t, now))
        this.ended(key, now);
    this.endedListed.unlisted(source, seen);
    return true;
  }

  /**
   * An instance a poll found ended that discovery still lists RECHECK_AFTER_MS later: tracked
   * again for one poll (planned within the budget as any other), in case the 3001 was wrong.
   */
  private recheck(source: PollSource, inst: LiveInstance): void {
    this.tracked.set(instanceKey(inst.ref), { source, instance: inst, listed: true, recheck: true });
    this.opts.log.info(
      { kind: inst.ref.kind, id: inst.ref.id, topic: inst.ref.topic },
      `${inst.ref.kind} "${inst.ref.topic}" still listed as live ${Math.round(RECHECK_AFTER_MS / 60_000)} min after its QoS call said it ended; polling it once more`,
    );
  }

  /** Instances a poll found ended that discovery still lists (kept out of the live ones). */
  get endedStillListed(): number {
    return this.endedListed.size;
  }

  /**
   * An instance on the push path whose last poll is `recheckEveryMs` old: polled once more, to
   * find who joined since (its QoS list names everyone present; pushes only those Zoom pushes).
   */
  private recheckDue(t: Tracked, now: number): boolean {
    const every = this.opts.recheckEveryMs;
    return every !== undefined && t.lastPolledAt !== undefined && now - t.lastPolledAt >= every;
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
    this.pushes.paths.expireUnpolled(now);
    for (const client of clients) {
      const onClient = [...this.tracked].filter(([, t]) => t.source.client === client);
      const entries = onClient.filter(
        ([key, t]) => this.pushes.paths.path(key, now) === 'poll' || this.recheckDue(t, now),
      );
      const credit = this.plans.get(client)?.credit ?? 0;
      const saving = coveredSaving(this.opts, client, onClient, entries, now, credit);
      choice.pushed += saving.pushed;
      choice.callsSaved += saving.callsSaved;
      const p = planFor(this.opts, client, entries, { credit });
      this.plans.set(client, p);
      const sources = this.opts.sources.filter((s) => s.client === client);
      const section = sources.some((s) => s.kind === 'session') ? 'videosdk' : 'zoom';
      this.shortfall.check(client, p, sources.length, entries.length, this.opts.poll, section);
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
      this.endedListed.add(key, t.source, now, t.recheck === true);
      this.ended(key, now);
      return;
    }
    if (t.recheck) {
      delete t.recheck;
      this.opts.log.warn(
        { kind: ref.kind, id: ref.id, topic: ref.topic },
        `${ref.kind} "${ref.topic}" answers again after its QoS call said it ended (404, code 3001): polled as live`,
      );
    }
    // A poll with entries it could not identify holds whom it does not list (unidentified.ts).
    const held = pollPresence(t, result, now, this.opts.gapToleranceMs);
    const holdAll = held.holdAll;
    const listed = { present: held.present, left: result.left };
    tally.participants += listed.present.length;
    if (!holdAll) t.present = listed.present;
    const present = withPushed(listed, this.pushes.paths.pushedSince(key, now - this.opts.gapToleranceMs));
    this.coverage.present(key, present, now);
    // Judged against Zoom's clock as its answer gave it (within 5 minutes of ours: zoom-clock.ts).
    const judged = notFuture(result.samples, t.source.client.zoomNow() ?? now, this.opts.normalizeStats);
    const fresh = this.dedup.filter(judged, now);
    this.coverage.samples(key, fresh);
    tally.samples += fresh.length;
    for (const s of fresh) tally.cycleSamples.push(s);
    // At the leave time the answer gave (never ahead of now), not the poll's: a resolve `left`
    // ends when they left (a pushed leave does the same, push-target.ts).
    for (const p of result.left)
      tally.after.push({
        type: 'left',
        instance: ref,
        participant: p,
        at: Math.min(result.leftAt?.get(p) ?? now, now),
      });
    if (!holdAll) tally.after.push({ type: 'polled', instance: ref, present, at: now });
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
  private async pollChosen(
    selected: readonly string[],
    signal: AbortSignal,
    stop?: AbortSignal,
  ): Promise<PollTally> {
    const tally: PollTally = {
      polled: 0,
      paused: 0,
      samples: 0,
      errors: 0,
      participants: 0,
      cycleSamples: [],
      after: [],
    };
    const queue = [...selected];
    const worker = async (): Promise<void> => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        // Stopping: polls under way finish (within shutdown_timeout), no new one starts.
        if (stop?.aborted) return;
        const t = this.tracked.get(key);
        // Zoom's 429 paused Heavy calls: this poll waits for a later cycle (counted), the others go on.
        if (!t || (rateLimited(t.source, 'Heavy', this.once) && ++tally.paused)) continue;
        tally.polled++;
        try {
          await this.pollOne(key, t, signal, tally);
        } catch (err) {
          if (signal.aborted) return;
          this.coverage.failed(key);
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
  async cycle(
    signal: AbortSignal,
    options: { all?: boolean; stop?: AbortSignal } = {},
  ): Promise<CycleReport> {
    const clock = this.opts.clock;
    const startedAt = clock.now();
    const clients = [...new Set(this.opts.sources.map((s) => s.client))];
    const callsBefore = clients.reduce((n, c) => n + c.stats.total(), 0);
    this.pushes.leaveHeld(startedAt);
    // A list call that failed is an error of the cycle: with every call failing, nothing is
    // listed or polled, and the cycle said errors 0 (and coverage 100% of nothing).
    let discoveryErrors = 0;
    for (const source of this.opts.sources)
      if (!options.stop?.aborted && !(await this.discover(source, signal, startedAt))) discoveryErrors++;
    const choice = this.choose(clients, startedAt, options.all ?? false);
    const planned = choice.selected.flatMap((k) => this.tracked.get(k) ?? []);
    const tally = await holdingPlan(planned, () => this.pollChosen(choice.selected, signal, options.stop));
    const finishedAt = clock.now();
    const report: CycleReport = {
      startedAt,
      finishedAt,
      intervalMs: choice.intervalMs || this.opts.poll.minIntervalMs,
      fullCycleMs: choice.fullCycleMs,
      live: this.tracked.size,
      polled: tally.polled,
      deferred: choice.deferred + tally.paused,
      participants: tally.participants,
      samples: tally.samples,
      calls: clients.reduce((n, c) => n + c.stats.total(), 0) - callsBefore,
      errors: tally.errors + discoveryErrors,
      pushed: choice.pushed,
      callsSaved: choice.callsSaved,
      coverage: this.coverage.report(finishedAt),
    };
    this.pushes.paths.callsSaved += choice.callsSaved;
    this.last = report;
    this.done++;
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
        const r = await this.cycle(abortCalls, { stop });
        this.cycling = false;
        onCycle?.(r);
        wait = r.startedAt + r.intervalMs - this.opts.clock.now();
      } catch (err) {
        this.cycling = false;
        if (abortCalls.aborted) return;
        this.failed++;
        this.opts.log.error({ err }, 'poll cycle failed; trying again next cycle');
      }
      if (wait > 0 && !stop.aborted) await sleepUnless(this.opts.clock, wait, stopped).catch(() => undefined);
    }
  }
}
