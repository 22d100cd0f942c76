import type { QosSample } from './sample.js';
import { STREAMS } from './streams.js';

/** How often (in the clock's time) joins gone quiet are looked for: a sweep costs one pass over every join. */
const PRUNE_EVERY_MS = 60_000;

const MINUTE_MS = 60_000;

/**
 * Minutes before a join's newest one whose arrival is remembered (one bit each). Zoom retries
 * an event at +5, +20 and +60 minutes, so a retry is still told from a minute never seen.
 */
export const SEEN_MINUTES = 64;

/** Minutes (the newest and the ones before it) whose stream types are remembered, one mask each. */
export const STREAM_MINUTES = 4;

/** What became of a sample offered to the de-duplicator. */
export type DedupResult = 'new' | 'refined' | 'late' | 'duplicate';

/**
 * A bit per part a sample can carry, as QSS sends them (one `type` each): each stream type, CPU
 * (`cpu_usage`), another name, nothing. Wi-Fi and CPU pressure ride along with them (QSS has no
 * type for either), so a poll that has them after a push of the same minute brings nothing new.
 */
const STREAM_BIT: Readonly<Record<string, number>> = Object.assign(
  Object.create(null) as Record<string, number>,
  Object.fromEntries(STREAMS.map((s, i) => [s.name, 1 << i])),
);
const CPU_BIT = 1 << STREAMS.length;
const OTHER_BIT = CPU_BIT << 1;
const NOTHING_BIT = OTHER_BIT << 1;

/** The parts (stream types, CPU) a sample carries, as bits. */
function partsOf(s: QosSample): number {
  let m = 0;
  for (const name in s.streams) m |= STREAM_BIT[name] ?? OTHER_BIT;
  if (s.cpu) m |= CPU_BIT;
  return m || NOTHING_BIT;
}

/**
 * What is remembered of one join: a few numbers and, for a pushed join only, its newest sample
 * (so that a stream type pushed later in its own event is added to it).
 */
interface Seen {
  /** The time of the newest sample handed on. */
  time: number;
  /** That sample with every part of its minute seen so far, when it was pushed (`keep`). */
  last: QosSample | undefined;
  /** Its minute (epoch ms / 60,000, floored). */
  minute: number;
  /** Minutes seen before it: bit d-1 of `lo` (d = 1..32) or d-33 of `hi` (d = 33..64) is minute - d. */
  lo: number;
  hi: number;
  /** Parts seen of the newest minute and of the STREAM_MINUTES - 1 before it. */
  p0: number;
  p1: number;
  p2: number;
  p3: number;
}

const minuteOf = (t: number): number => Math.floor(t / MINUTE_MS);

/** Moves a join's memory `k` minutes forward (k >= 1): the old newest minute is now k minutes back. */
function advance(j: Seen, k: number): void {
  if (k >= 64) {
    j.lo = 0;
    j.hi = 0;
  } else if (k >= 32) {
    j.hi = j.lo << (k - 32);
    j.lo = 0;
  } else {
    j.hi = (j.hi << k) | (j.lo >>> (32 - k));
    j.lo = j.lo << k;
  }
  markBefore(j, k);
  const [p0, p1, p2] = [j.p0, j.p1, j.p2];
  j.p3 = k === 1 ? p2 : k === 2 ? p1 : k === 3 ? p0 : 0;
  j.p2 = k === 1 ? p1 : k === 2 ? p0 : 0;
  j.p1 = k === 1 ? p0 : 0;
  j.p0 = 0;
}

/** Whether minute `minute - d` (d = 1..64) is marked seen. */
function seenBefore(j: Seen, d: number): boolean {
  return d <= 32 ? ((j.lo >>> (d - 1)) & 1) === 1 : ((j.hi >>> (d - 33)) & 1) === 1;
}

function markBefore(j: Seen, d: number): void {
  if (d <= 32) j.lo |= 1 << (d - 1);
  else if (d <= SEEN_MINUTES) j.hi |= 1 << (d - 33);
}

function partsBefore(j: Seen, d: number): number {
  return d === 0 ? j.p0 : d === 1 ? j.p1 : d === 2 ? j.p2 : j.p3;
}

function addPartsBefore(j: Seen, d: number, m: number): void {
  if (d === 0) j.p0 |= m;
  else if (d === 1) j.p1 |= m;
  else if (d === 2) j.p2 |= m;
  else j.p3 |= m;
}

/**
 * Samples made by refining a minute already handed on: the evaluated-time filter after a
 * restart (evaluate/evaluated.ts) lets these through at their minute's time, and no other.
 */
const refinements = new WeakSet<QosSample>();

/** Whether `s` is its minute refined with a stream type that came after the minute was handed on. */
export const isRefinement = (s: QosSample): boolean => refinements.has(s);

/** The parts that make a pushed sample whole: stream types and CPU (not other names, nor nothing). */
const WHOLE_BITS = CPU_BIT | (CPU_BIT - 1);

/**
 * Pushed samples handed on without a part (stream type, CPU) that their join carried in the
 * minute before: Zoom may push one event per stream type, so more of the minute may follow.
 */
const partials = new WeakSet<QosSample>();

/**
 * Whether `s` (pushed) lacks a part its join carried the minute before, so that the rest of its
 * minute may still come as a refinement: rules do not take its healthy values as a recovery
 * (evaluate/participant-rules.ts, group-rules.ts), only its breaches.
 */
export const isPartial = (s: QosSample): boolean => anyPartial && partials.has(s);

/** Whether any sample was ever marked partial (only pushed ones are): a poller's never are. */
let anyPartial = false;

/** Marks the sample handed on as partial when the join's previous minute had a part its minute lacks. */
function markPartial(j: Seen, s: QosSample): void {
  if (j.p1 & ~j.p0 & WHOLE_BITS) {
    partials.add(s);
    anyPartial = true;
  }
}

/** The newest sample with the parts of `s` it did not have: the same minute, refined. */
function merged(last: QosSample, s: QosSample): QosSample {
  const streams = { ...last.streams };
  for (const name in s.streams) if (!(name in streams)) streams[name] = s.streams[name]!;
  const out: QosSample = { ...last, context: { ...s.context, ...last.context }, streams };
  if (!out.cpu && s.cpu) out.cpu = s.cpu;
  if (!out.cpuPressure && s.cpuPressure) out.cpuPressure = s.cpuPressure;
  if (!out.wifi && s.wifi) out.wifi = s.wifi;
  return out;
}

/**
 * Zoom's live QoS answers repeat the last minutes' samples on every poll, Zoom retries pushed
 * events, and a push and a poll may bring the same minute. This remembers, per join (instance
 * and participant key, as the rule engine follows them), which of the last SEEN_MINUTES minutes
 * were handed on (one bit each) and, for the last STREAM_MINUTES minutes, which stream types
 * (one bit each, a mask per minute), and, for pushed joins, their newest sample. A sample is:
 *
 * - `new`: of a minute newer than the join's newest: handed on, in time order;
 * - `refined`: of the newest minute, with a stream type (or CPU) not seen in it yet (Zoom may
 *   push one event per stream type): handed on as the newest sample with the new parts added
 *   (pushed; polled, the new parts alone), at the same time, so rules re-judge that minute;
 * - `late`: of an older minute not seen (or, within STREAM_MINUTES, a stream type of it not
 *   seen), or older than the window (SEEN_MINUTES), where a repeat cannot be told (the
 *   webhook receiver's two-hour body memory answers Zoom's own redeliveries before this):
 *   counted and returned apart, not handed to live rules, which judge the newest minutes;
 * - `duplicate`: its minute and every part of it were seen; past STREAM_MINUTES only the minute
 *   is remembered, so a second stream type of a late minute that old is counted here, not as
 *   `late` (a counter only: neither is handed to live rules; docs/webhooks.md).
 *
 * A few numbers per join, whatever the number of minutes; a join with nothing newer for
 * `retentionMs` is forgotten.
 */
export class SampleDeduplicator {
  /** Instance key -> participant key -> what was seen. */
  private readonly seen = new Map<string, Map<string, Seen>>();
  private lastPrune = -Infinity;
  private joins = 0;
  /** The sample the last refinement replaced as its join's newest (when kept). */
  private refinedFrom: QosSample | undefined;
  /** The sample the last offer handed on (new, or the minute refined). */
  private passed: QosSample | undefined;
  /** Samples by what became of them (`refined` counts with `new`: both are handed on). */
  readonly counts = { new: 0, late: 0, duplicate: 0 };

  constructor(private readonly retentionMs: number) {}

  /**
   * The newest sample time handed on for a join (looked up by its own key), or -Infinity: its
   * entries up to then would not pass, so they need not be read. A rejoin linked to an earlier
   * join's key is not found by its own key, and is read in full.
   */
  seenUpTo(instance: QosSample['instance'], join: string): number {
    return this.seen.get(instanceKeyOf(instance))?.get(join)?.time ?? -Infinity;
  }

  /**
   * The samples to hand to live rules (new and refined), sorted by time; `late` receives the
   * unseen samples of older minutes. `keep` (pushed samples, which may carry one stream type
   * each) keeps each join's newest sample, so that a refinement carries every stream of its
   * minute; polled samples carry them all at once, and only their numbers are kept.
   */
  filter(
    samples: readonly QosSample[],
    now: number,
    late?: (s: QosSample) => void,
    keep = false,
  ): QosSample[] {
    // Stable: in time order, so a batch's minutes are new in turn and repeats come after.
    const sorted = samples.length > 1 ? [...samples].sort((a, b) => a.time - b.time) : samples;
    const out: QosSample[] = [];
    let last: { key: string; joins: Map<string, Seen> } | undefined;
    for (const s of sorted) {
      const joins = this.joinsOf(s, last);
      last = joins;
      const result = this.offer(joins.joins, s, keep);
      if (result === 'duplicate') this.counts.duplicate++;
      else if (result === 'late') {
        this.counts.late++;
        late?.(s);
      } else {
        this.counts.new++;
        // A refinement of a sample of this batch replaces it rather than following it.
        if (result === 'refined' && this.refinedFrom && out[out.length - 1] === this.refinedFrom)
          out[out.length - 1] = this.passed!;
        else out.push(this.passed!);
      }
    }
    this.prune(now);
    return out;
  }

  /** Sets `passed` to the sample to hand on when the answer is new or refined. */
  private offer(joins: Map<string, Seen>, s: QosSample, keep: boolean): DedupResult {
    const key = s.participant.key;
    const parts = partsOf(s);
    const minute = minuteOf(s.time);
    const j = joins.get(key);
    this.passed = s;
    if (!j) {
      this.joins++;
      joins.set(key, {
        time: s.time,
        last: keep ? s : undefined,
        minute,
        lo: 0,
        hi: 0,
        p0: parts,
        p1: 0,
        p2: 0,
        p3: 0,
      });
      return 'new';
    }
    const d = j.minute - minute;
    if (d < 0) {
      advance(j, -d);
      j.minute = minute;
      j.time = s.time;
      j.last = keep ? s : undefined;
      j.p0 = parts;
      if (keep) markPartial(j, s);
      return 'new';
    }
    if (d === 0) {
      if (!(parts & ~j.p0)) return 'duplicate';
      j.p0 |= parts;
      this.refinedFrom = j.last;
      // Without the newest sample (polled), the new parts go on alone, at the minute's time.
      this.passed = j.last ? merged(j.last, s) : s.time === j.time ? s : { ...s, time: j.time };
      refinements.add(this.passed);
      if (keep) {
        j.last = this.passed;
        markPartial(j, this.passed);
      }
      return 'refined';
    }
    if (d > SEEN_MINUTES) return 'late';
    if (!seenBefore(j, d)) {
      markBefore(j, d);
      if (d < STREAM_MINUTES) addPartsBefore(j, d, parts);
      return 'late';
    }
    if (d < STREAM_MINUTES && parts & ~partsBefore(j, d)) {
      addPartsBefore(j, d, parts);
      return 'late';
    }
    return 'duplicate';
  }

  private joinsOf(
    s: QosSample,
    last: { key: string; joins: Map<string, Seen> } | undefined,
  ): { key: string; joins: Map<string, Seen> } {
    const key = instanceKeyOf(s.instance);
    if (last?.key === key) return last;
    let joins = this.seen.get(key);
    if (!joins) this.seen.set(key, (joins = new Map<string, Seen>()));
    return { key, joins };
  }

  private prune(now: number): void {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const horizon = now - this.retentionMs;
    for (const [key, joins] of this.seen) {
      for (const [join, j] of joins)
        if (j.time < horizon) {
          joins.delete(join);
          this.joins--;
        }
      if (!joins.size) this.seen.delete(key);
    }
  }

  /** Participants remembered. */
  get size(): number {
    return this.joins;
  }
}

const instanceKeyOf = (i: QosSample['instance']): string => `${i.kind}\u0000${i.uuid}`;
