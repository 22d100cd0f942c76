import type { Logger } from 'pino';
import { normalizeParticipant } from '../../normalize/normalize.js';
import type { InstanceRef, ParticipantContext, QosSample } from '../../normalize/sample.js';
import type { NormalizeStats } from '../../normalize/stats.js';
import type { Clock } from '../../util/clock.js';
import { instanceKey } from '../../normalize/events.js';
import { LogOnce } from '../../util/log-once.js';
import { EventClock, type EventClockMode, type EventTsVerdict } from './event-clock.js';
import { readQss } from './qss.js';
import { LISTED_ID } from '../../normalize/listed-id.js';
import type { SkewStore } from './skew-store.js';
import type { SpoolEntry, SpoolRecord } from './spool.js';
import type { SummaryStore } from './summary-store.js';

/** What a push brought: samples new to live rules, and minutes older than a join's newest (late). */
export interface PushedCounts {
  fresh: number;
  /** Not judged live: older than their join's newest minute, or `old`. */
  late: number;
  /** Of `late`: dated more than `rules.gap_tolerance` before the event's Zoom clock (poll/stale.ts). */
  old: number;
  /** Dated more than FUTURE_TOLERANCE_MS ahead of the event's Zoom clock (event-clock.ts): refused. */
  future: number;
}

/** Where pushed QoS goes: the scheduler's PushHandler (poll/push-target.ts), which de-duplicates it with polled QoS. */
export interface PushTarget {
  /** `zoomNow`: Zoom's clock when it sent them (the event's `event_ts`, bounded: event-clock.ts). */
  pushed(instance: InstanceRef, samples: readonly QosSample[], zoomNow?: number): PushedCounts;
  /** A join left (`participant_left`); `person` and `leaveTime` as the event gave them. */
  pushedLeft(instance: InstanceRef, join: string, person?: string, leaveTime?: number): void;
  /** `*.started`: the instance is live, and pushes are expected for it. */
  pushedStarted(instance: InstanceRef): void;
  /** `*.ended`: the instance is over; its alerts resolve now. */
  pushedEnded(instance: InstanceRef, endTime?: number): void;
  /** The ref discovery knows (with the topic the push lacks). */
  known(key: string): InstanceRef | undefined;
}

export interface PushStats {
  /** Records handed on, by what they were. */
  handled: Map<Handled, number>;
  /**
   * Samples handed on after de-duplication (new minutes, and stream types new to the newest
   * minute); those of an older minute never seen (late: not judged by live rules); those dropped
   * as already seen.
   */
  samples: number;
  late: number;
  duplicates: number;
  /** Refused as dated more than FUTURE_TOLERANCE_MS ahead of their event's Zoom clock. */
  future: number;
  /**
   * QoS events whose `event_ts` was not taken as Zoom's clock (event-clock.ts): ahead of the
   * steady clock, implausibly old; and new steady skews adopted.
   */
  eventTs: Record<EventTsCount, number>;
}

/** The `event_ts` verdicts counted (the others are the normal case). */
export const EVENT_TS_COUNTS = ['ahead', 'past', 'adopted'] as const;
export type EventTsCount = (typeof EVENT_TS_COUNTS)[number];

const EVENT_TS_LOG: Record<EventTsCount, string> = {
  ahead:
    "a QoS event's event_ts is more than 5 minutes ahead of the clock Zoom's events have shown (its signed request timestamp plus their steady skew); that clock is used instead, and samples dated ahead of it are refused",
  past: "a QoS event's event_ts is implausibly old (before Zoom's retries, or not in milliseconds); its request timestamp is used instead",
  adopted:
    "Zoom's event_ts has run steadily ahead of its request timestamps (a simulator running faster than real time?); that skew is now taken as Zoom's clock",
};

const OLD_LOG =
  "pushed QoS samples dated more than rules.gap_tolerance before Zoom's clock (Zoom's retries at +5, +20 and +60 minutes of events qoswatch did not answer, or a sender whose date_time is not UTC) are counted as late and not evaluated live; the post-call report reads the call from Zoom";

type Handled = 'qos' | 'context' | 'left' | 'summary' | 'started' | 'ended' | 'invalid';

/** Instances whose pushed context is kept; the oldest go first past this. */
const MAX_INSTANCES = 10_000;

/**
 * Turns spooled webhook records into pipeline events, in the order they were received, on a
 * later turn of the event loop than the HTTP answer. QoS becomes samples in the same units
 * and with the same identity as polling's; `participant_data` events give context to the
 * samples that follow. A record that cannot be read is counted and skipped.
 */
export class PushSource {
  private readonly contexts = new Map<string, Map<string, ParticipantContext>>();
  private queue: SpoolEntry[] = [];
  private draining = false;
  readonly stats: PushStats = {
    handled: new Map(),
    samples: 0,
    late: 0,
    duplicates: 0,
    future: 0,
    eventTs: { ahead: 0, past: 0, adopted: 0 },
  };
  /** Zoom's event clock as each app's events have shown it. */
  private readonly clocks = new Map<string, EventClock>();
  private readonly logOnce: LogOnce;

  constructor(
    private readonly target: PushTarget,
    private readonly deps: {
      clock: Clock;
      log: Logger;
      normalizeStats: NormalizeStats;
      /** Called once the records up to `end` are handed on (the spool marks them done). */
      done: (end: number) => void;
      /**
       * After each batch is evaluated: when its QoS records were received (the daemon's clock),
       * so that alert changes they raised are handed to the dispatcher soon, and timed.
       */
      handedOn?: (receivedAt: readonly number[]) => void;
      /** Where summaries and context are kept for the post-call report. */
      summaries?: SummaryStore;
      /** Each app's `event_clock` (`zoom` when not listed). */
      eventClocks?: ReadonlyMap<string, EventClockMode>;
      /** Where `follow` apps' skews are kept across restarts. */
      skews?: SkewStore;
    },
  ) {
    this.logOnce = new LogOnce(deps.log, () => deps.clock.now());
  }

  enqueue(entry: SpoolEntry): void {
    this.queue.push(entry);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands on everything queued now (also called at shutdown). */
  flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.draining = false;
    let end = -1;
    const received: number[] = [];
    for (const entry of batch) {
      try {
        if (this.handle(entry.record, entry.parsed)) received.push(entry.record.at);
      } catch (err) {
        this.count('invalid');
        this.deps.log.error({ err: (err as Error).message }, 'a pushed event could not be handed on');
      }
      end = Math.max(end, entry.end);
    }
    if (end >= 0) this.deps.done(end);
    // Every batch: a pushed leave or end can end an alert too.
    if (batch.length) this.deps.handedOn?.(received);
  }

  private count(k: Handled): void {
    this.stats.handled.set(k, (this.stats.handled.get(k) ?? 0) + 1);
  }

  /**
   * Hands on one record; `parsed` is its body as the receiver parsed it (read from the record if
   * absent). True when it was a QoS record (its samples evaluated).
   */
  handle(record: SpoolRecord, parsed?: unknown): boolean {
    let body = parsed;
    if (body === undefined)
      try {
        body = JSON.parse(record.body);
      } catch {
        body = undefined;
      }
    const msg = readQss(body, (form, why) =>
      this.deps.normalizeStats.refuse(LISTED_ID, 'implausible', form, why),
    );
    if (!msg) {
      this.count('invalid');
      this.deps.normalizeStats.invalid('not_qos_record');
      return false;
    }
    this.count(msg.type);
    const key = instanceKey(msg.instance);
    const ref = this.target.known(key) ?? msg.instance;
    switch (msg.type) {
      case 'qos': {
        const raw = msg.participant;
        const samples = normalizeParticipant(ref, raw, {}, this.deps.normalizeStats);
        // Context is the join's own (participant_data's `participant_id` is the join's `user_id`).
        const join = samples[0]?.participant.join;
        const ctx = join !== undefined && this.contexts.get(key)?.get(join);
        if (ctx) for (const s of samples) s.context = { ...s.context, ...ctx };
        const counts = this.target.pushed(ref, samples, this.zoomNow(record, msg.eventTs));
        this.counted(counts, samples.length, record.app);
        return true;
      }
      case 'context': {
        let m = this.contexts.get(key);
        if (!m) {
          if (this.contexts.size >= MAX_INSTANCES) this.contexts.delete(this.contexts.keys().next().value!);
          this.contexts.set(key, (m = new Map<string, ParticipantContext>()));
        }
        m.set(msg.participant, { ...m.get(msg.participant), ...msg.context });
        this.deps.summaries?.context(ref, msg.participant, msg.context, record.at);
        return false;
      }
      case 'left':
        this.target.pushedLeft(ref, msg.participant, msg.person, msg.leaveTime);
        return false;
      case 'summary':
        // Post-call summaries carry no date_time and come after the call: nothing to evaluate,
        // kept for the report.
        this.deps.summaries?.summary(ref, msg.participant, msg.raw, record.at);
        return false;
      case 'started':
        this.target.pushedStarted(ref);
        return false;
      case 'ended':
        this.target.pushedEnded(ref, msg.endTime);
        this.deps.summaries?.ended(ref, record.at);
        return false;
    }
  }

  /** What became of a QoS event's `n` samples, counted; samples too old to be live logged once an hour. */
  private counted({ fresh, late, old, future }: PushedCounts, n: number, app: string): void {
    this.stats.samples += fresh;
    this.stats.late += late;
    this.stats.future += future;
    this.stats.duplicates += n - fresh - late - future;
    if (old) this.logOnce.warn('old', { app, late: this.stats.late }, OLD_LOG);
  }

  /**
   * Zoom's clock when it sent an event: its `event_ts` as far as the signed request timestamp
   * and the skew the app's events have shown allow (event-clock.ts); records of older versions
   * carry no request timestamp, and their receipt time stands for it.
   */
  private zoomNow(record: SpoolRecord, eventTs: number | undefined): number {
    const clock = this.clockOf(record.app);
    const { zoomNow, verdict } = clock.judge(eventTs, record.ts ?? record.at);
    if (clock.mode === 'follow') this.deps.skews?.update(record.app, clock.skewMs, verdict === 'adopted');
    if (isCounted(verdict)) {
      this.stats.eventTs[verdict]++;
      const obj = { app: record.app, total: this.stats.eventTs[verdict], skew_ms: clock.skewMs };
      if (verdict === 'adopted') this.deps.log.warn(obj, EVENT_TS_LOG.adopted);
      else this.logOnce.warn(`event_ts:${verdict}`, obj, EVENT_TS_LOG[verdict]);
    }
    return zoomNow;
  }

  /** The app's event clock; a `follow` app's starts at the skew saved before a restart. */
  clockOf(app: string): EventClock {
    let clock = this.clocks.get(app);
    if (!clock) {
      const mode = this.deps.eventClocks?.get(app) ?? 'zoom';
      clock = new EventClock(mode, mode === 'follow' ? (this.deps.skews?.skew(app) ?? 0) : 0);
      this.clocks.set(app, clock);
    }
    return clock;
  }

  /** Forgets the context kept for an instance that ended. */
  forget(instance: InstanceRef): void {
    this.contexts.delete(instanceKey(instance));
  }
}

const isCounted = (v: EventTsVerdict): v is EventTsCount =>
  (EVENT_TS_COUNTS as readonly string[]).includes(v);
