import type { Logger } from 'pino';
import type { SampleDeduplicator } from '../normalize/dedup.js';
import { instanceKey, type SampleSink } from '../normalize/events.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Clock } from '../util/clock.js';
import type { CoverageTracker } from './coverage.js';
import { notFuture } from './future.js';
import { notStale } from './stale.js';
import { JoinTracker, REJOIN_GRACE_MS } from './joins.js';
import { linkPushed } from './push-link.js';
import type { PollSource } from './source.js';
import { InstanceNames } from './webhooks/instance-names.js';
import { PushPaths } from './webhooks/push-paths.js';
import type { PushedCounts, PushTarget } from './webhooks/push-source.js';

/** Discovery may list an instance for this long after Zoom pushed its `*.ended`: not live again. */
const ENDED_LAG_MS = 5 * 60_000;
/** Ended instances remembered (for late pushes and a lagging discovery); the oldest go first. */
const MAX_ENDED = 10_000;

/** What push handling reads and changes of the instances the scheduler tracks (discovery's). */
export interface TrackedInstances {
  has(key: string): boolean;
  /**
   * Discovery has listed it: only then can polling take it back, and discovery end it. One a
   * pushed `*.started` tracks is not listed until discovery lists it: the pushes alone end it.
   */
  listed(key: string): boolean;
  /** The instance's ref as discovery knows it (with its topic). */
  ref(key: string): InstanceRef | undefined;
  /** Tracks an instance a pushed `*.started` announced, before discovery lists it. */
  start(source: PollSource, instance: InstanceRef): void;
  /** Ends a tracked instance as discovery would: its alerts resolve, everything about it goes. */
  end(key: string, at: number): void;
  /**
   * The participants the instance's last poll listed as present; `unpolled` if discovery lists it
   * and no poll answered yet; undefined if discovery does not list it (a pushed `*.started`).
   */
  present(key: string): readonly string[] | 'unpolled' | undefined;
}

export interface PushHandlerOptions {
  sources: readonly PollSource[];
  clock: Clock;
  log: Logger;
  sink: SampleSink;
  /** Polling takes an instance back once its pushes stopped this long. */
  takeoverAfterMs?: number;
  /** Where samples refused as dated ahead of Zoom's clock are counted. */
  normalizeStats?: NormalizeStats;
  /**
   * `rules.gap_tolerance`: pushed samples dated more than this before Zoom's clock are late
   * (counted, never judged live) and do not make their instance live (stale.ts).
   */
  gapToleranceMs: number;
  /** The scheduler's: a push and a poll of the same minute of a join are one sample. */
  dedup: SampleDeduplicator;
  coverage: CoverageTracker;
  tracked: TrackedInstances;
}

/**
 * The scheduler's side of Zoom's pushes (QSS webhooks): pushed samples de-duplicated with the
 * polled ones and handed on, `*.started` / `*.ended` and pushed leaves, and the pushed instances
 * discovery does not list (a UUID it never listed, or a kind no source polls). Those are the
 * instances `paths` knows that the scheduler does not track, or tracks since their pushed
 * `*.started` without discovery having listed them; they end once their pushes stop for
 * `takeoverAfterMs`.
 */
export class PushHandler implements PushTarget {
  /** Which instances pushes cover, with the ref each one's last push gave, and the calls that saved. */
  readonly paths: PushPaths;
  /** What `*.started` / `*.ended` events did, and pushed samples dropped as from before an end. */
  readonly lifecycle = { started: 0, ended: 0, samplesAfterEnd: 0 };
  /** Instances a pushed `*.ended` ended, with their end time: late pushes of them are not evaluated. */
  private readonly endedByPush = new Map<string, number>();
  /** Joins of pushed instances of a kind no poll source reads (a poll source keeps its own). */
  private readonly pushJoins = new JoinTracker(REJOIN_GRACE_MS);
  /** Instances with a pushed leave held for a rejoin, for reporting it when the grace passes. */
  private readonly heldRefs = new Map<string, InstanceRef>();
  /**
   * The number and topic each pushed instance is known by (from discovery or a pushed event that
   * carries them): Zoom's QoS events carry only the UUID. Kept across restarts (Webhooks loads
   * and saves it), so a pushed instance's alerts keep `instance=<number>` and its topic while
   * discovery does not list it (yet, or at all).
   */
  readonly names = new InstanceNames();

  constructor(private readonly o: PushHandlerOptions) {
    // A pushed instance discovery never listed (tracked by a pushed `*.started` or not) has no
    // poll to take it back: once its pushes stop, it ends (not counted as a takeover).
    this.paths = new PushPaths(
      o.takeoverAfterMs ?? 0,
      (key) => o.tracked.listed(key),
      (ref, now) => this.unlistedEnded(ref, now),
      (key) => o.tracked.present(key),
    );
  }

  /** Zoom pushed the instance's `*.ended` less than ENDED_LAG_MS ago: discovery's list lags the event. */
  endedRecently(key: string, now: number): boolean {
    const endedAt = this.endedByPush.get(key);
    return endedAt !== undefined && now - endedAt < ENDED_LAG_MS;
  }

  /** Forgets what the pushes kept about an instance that ended. */
  forget(key: string): void {
    this.pushJoins.forget(key);
    this.heldRefs.delete(key);
    this.names.ended(key, this.o.clock.now());
    this.paths.forget(key);
  }

  /** Keeps what `ref` says of its instance's number and topic (see `names`). */
  private learn(ref: InstanceRef): void {
    this.names.learn(ref, this.o.clock.now());
  }

  /**
   * A pushed instance discovery never listed, whose pushes stopped `takeoverAfterMs` ago: nothing
   * will bring its QoS again, so it ends as a pushed `*.ended` would end it. Its alerts resolve
   * (reason `ended`), and it leaves the live state (/api/v1/instances, /metrics), the coverage
   * and the joins. Pushes that come again later bring it back.
   */
  private unlistedEnded(ref: InstanceRef, now: number): void {
    this.o.log.info(
      { kind: ref.kind, id: ref.id, uuid: ref.uuid },
      `${ref.kind} ${ref.uuid}: no push for ${Math.round((this.o.takeoverAfterMs ?? 0) / 1000)} s and never listed by discovery; taken as ended`,
    );
    const key = instanceKey(ref);
    // Tracked since its pushed `*.started`: ended as discovery ends one (source, coverage, sink).
    if (this.o.tracked.has(key)) this.o.tracked.end(key, now);
    else this.endUntracked(ref, now);
  }

  /** Ends an instance the pushes started and discovery does not track. */
  private endUntracked(ref: InstanceRef, now: number): void {
    const key = instanceKey(ref);
    for (const s of this.o.sources) if (s.kind === ref.kind) s.forget(ref);
    this.forget(key);
    this.o.coverage.ended(key);
    this.o.sink.handle({ type: 'ended', instance: ref, at: now });
  }

  /**
   * Samples pushed by Zoom (QSS webhooks): de-duplicated with the polled ones by join and
   * `date_time`, and handed on; the instance is on the push path from now on. `zoomNow` is
   * Zoom's clock when it sent them (the event's `event_ts` as far as its signed request timestamp
   * allows: webhooks/event-clock.ts): samples dated far ahead of it are refused (poll/future.ts),
   * those dated more than `gapToleranceMs` before it are late (poll/stale.ts: Zoom's retries of
   * an event first sent long ago). Only live samples make their instance live and its joins known.
   */
  pushed(instance: InstanceRef, samples: readonly QosSample[], zoomNow?: number): PushedCounts {
    const now = this.o.clock.now();
    const key = instanceKey(instance);
    const count = samples.length;
    samples = notFuture(samples, zoomNow ?? now, this.o.normalizeStats);
    const future = count - samples.length;
    if (!samples.length) return { fresh: 0, late: 0, old: 0, future };
    const endedAt = this.endedByPush.get(key);
    if (endedAt !== undefined) {
      // Zoom's retry of a minute from before the end: its alerts were resolved, not again.
      const after = samples.filter((s) => s.time > endedAt);
      this.lifecycle.samplesAfterEnd += samples.length - after.length;
      if (!after.length) return { fresh: 0, late: 0, old: 0, future };
      samples = after;
    }
    const live = notStale(samples, zoomNow ?? now, this.o.gapToleranceMs);
    const old = samples.length - live.length;
    // Nothing live: no instance, join or name is learned from it (a call long over stays over).
    if (!live.length) return { fresh: 0, late: old, old, future };
    samples = live;
    this.learn(instance);
    if (endedAt !== undefined) this.endedByPush.delete(key); // live samples after the end: it goes on
    linkPushed(this.joinsFor(instance.kind), instance, samples);
    this.paths.pushed(
      instance,
      now,
      samples.map((s) => s.participant.key),
    );
    let late = old;
    // Late minutes (older than the join's newest, never seen) are counted, not judged by live rules.
    // Pushed: the join's newest sample is kept, for a stream type Zoom pushes in an event of its own.
    const fresh = this.o.dedup.filter(samples, now, () => late++, true);
    this.o.coverage.pushed(key, fresh, now);
    if (fresh.length) this.o.sink.handle({ type: 'samples', samples: fresh });
    this.leaveHeld(now);
    return { fresh: fresh.length, late, old, future };
  }

  /** The join tracker polling uses for the instance's kind, so a join has one key whichever path brings it. */
  private joinsFor(kind: InstanceRef['kind']): JoinTracker {
    return this.o.sources.find((s) => s.kind === kind)?.joins ?? this.pushJoins;
  }

  /** Leaves held for a rejoin whose grace has passed: reported now, once. */
  leaveHeld(now: number): void {
    if (!this.heldRefs.size) return;
    const trackers = new Set([this.pushJoins, ...this.o.sources.map((s) => s.joins)]);
    for (const t of trackers)
      for (const { instance, key, at } of t.dueLeaves(now)) {
        const ref = this.heldRefs.get(instance);
        if (!ref) continue;
        this.o.coverage.left(instance, key);
        this.paths.left(instance, key);
        // Dated when they left (as a polled leave is), reported once the grace has passed.
        this.o.sink.handle({ type: 'left', instance: ref, participant: key, at: Math.min(at, now) });
      }
  }

  /**
   * The instance's ref as discovery knows it (with its topic), else with the number and topic an
   * earlier pushed event gave, for pushed events that lack them.
   */
  known(key: string): InstanceRef | undefined {
    return this.o.tracked.ref(key) ?? this.names.get(key);
  }

  /**
   * `*.started`: the instance is tracked at once (before discovery lists it) and expected to be
   * pushed. Until discovery lists it, it is left to the pushes: polling leaves its QoS list alone
   * (a 404/3001 on an id discovery never listed says nothing: listed-ids.ts), discovery not
   * listing it does not end it, and it ends by its pushed `*.ended` or once no push has come for
   * `takeoverAfterMs` (unlistedEnded). Once listed, it is polled and ended as any listed one.
   */
  pushedStarted(instance: InstanceRef): void {
    const now = this.o.clock.now();
    const key = instanceKey(instance);
    this.lifecycle.started++;
    this.learn(instance);
    this.endedByPush.delete(key);
    this.paths.pushed(instance, now);
    if (this.o.tracked.has(key)) return;
    const source = this.o.sources.find((s) => s.kind === instance.kind);
    if (!source) return; // a kind no source polls: pushed, not tracked
    this.o.tracked.start(source, instance);
    this.o.log.info(
      { kind: instance.kind, id: instance.id, topic: instance.topic },
      `${instance.kind} "${instance.topic}" started (pushed)`,
    );
  }

  /**
   * `*.ended`: the instance's alerts resolve now rather than at the next discovery; pushes of
   * samples up to its end that come later (Zoom's retries) are dropped and counted.
   */
  pushedEnded(instance: InstanceRef, endTime?: number): void {
    const now = this.o.clock.now();
    const key = instanceKey(instance);
    this.lifecycle.ended++;
    if (this.endedByPush.size >= MAX_ENDED) this.endedByPush.delete(this.endedByPush.keys().next().value!);
    this.endedByPush.set(key, Math.min(endTime ?? now, now));
    if (this.o.tracked.has(key)) this.o.tracked.end(key, now);
    else this.endUntracked(instance, now); // pushed but never discovered: end what the pushes started
  }

  /**
   * A join the pushes said has left (`participant_left`, where subscribed). A guest's alerts
   * resolve as left now; a signed-in person's leave is held for the rejoin grace, as polling
   * holds it, so that a rejoin keeps their alert.
   */
  pushedLeft(instance: InstanceRef, join: string, person?: string, leaveTime?: number): void {
    const now = this.o.clock.now();
    const ik = instanceKey(instance);
    const at = Math.min(leaveTime ?? now, now);
    this.learn(instance);
    const r = this.joinsFor(instance.kind).leftPushed(ik, { join, person, joinTime: 0 }, at);
    if (r.left) {
      this.o.coverage.left(ik, r.key);
      this.paths.left(ik, r.key);
      this.o.sink.handle({ type: 'left', instance, participant: r.key, at });
    } else this.heldRefs.set(ik, instance);
    this.leaveHeld(now);
  }
}
