import { JoinVersions } from './join-versions.js';
import type { QosSample } from './sample.js';
import { ownNumbers, setJoinOf } from './sample-numbers.js';
import { STREAMS } from './streams.js';

/** How often (in the clock's time) joins gone quiet are looked for: a sweep costs one pass over every join. */
const PRUNE_EVERY_MS = 60_000;

/** A join with nothing newer for this long lets go of what its version was of (JoinVersions.forget). */
const QUIET_MS = 10 * 60_000;

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
 * What is remembered of each join, as rows of typed arrays shared by every instance (no object
 * per join: about 40 bytes a row against 190 for an object and its map entry): the time of the
 * newest sample handed on (its minute is that time's), and per row ROW numbers:
 *
 * - LO, HI: minutes seen before the newest: bit d-1 of LO (d = 1..32) or d-33 of HI
 *   (d = 33..64) is minute - d;
 * - P (+0..3): parts seen of the newest minute and of the STREAM_MINUTES - 1 before it.
 *
 * A pushed join's newest sample, with every part of its minute seen so far, is kept beside
 * them (`last`), so that a stream type pushed later in its own event is added to it.
 */
const ROW = 6;
const LO = 0;
const HI = 1;
const P = 2;

class Rows {
  time = new Float64Array(64);
  bits = new Int32Array(64 * ROW);
  /** Per row, a pushed join's newest sample (see `ROW`): made when a first one is kept, so a poller has none. */
  last: (QosSample | undefined)[] | undefined;
  private readonly free: number[] = [];
  private top = 0;

  /** A row for a new join whose first sample (of `parts`) is handed on. */
  take(time: number, parts: number, last: QosSample | undefined): number {
    const r = this.free.pop() ?? this.top++;
    if (r >= this.time.length) {
      const time = new Float64Array(this.time.length * 2);
      time.set(this.time);
      this.time = time;
      const bits = new Int32Array(this.bits.length * 2);
      bits.set(this.bits);
      this.bits = bits;
    }
    this.time[r] = time;
    this.bits.fill(0, r * ROW, r * ROW + ROW);
    this.bits[r * ROW + P] = parts;
    this.keep(r, last);
    return r;
  }

  release(r: number): void {
    this.keep(r, undefined);
    this.free.push(r);
  }

  /**
   * Keeps `s` as the row's newest sample (undefined: none), with its numbers apart from the chunk
   * they share with the other samples of their answer (kept for up to the retention, 3 h).
   */
  keep(r: number, s: QosSample | undefined): void {
    if (s !== undefined) ownNumbers(s);
    if (s !== undefined || this.last) (this.last ??= [])[r] = s;
  }
}

const minuteOf = (t: number): number => Math.floor(t / MINUTE_MS);

/** Moves a join's memory `k` minutes forward (k >= 1): the old newest minute is now k minutes back. */
function advance(rows: Rows, r: number, k: number): void {
  const b = rows.bits;
  const o = r * ROW;
  const lo = b[o + LO]!;
  const hi = b[o + HI]!;
  if (k >= 64) {
    b[o + LO] = 0;
    b[o + HI] = 0;
  } else if (k >= 32) {
    b[o + HI] = lo << (k - 32);
    b[o + LO] = 0;
  } else {
    b[o + HI] = (hi << k) | (lo >>> (32 - k));
    b[o + LO] = lo << k;
  }
  markBefore(rows, r, k);
  for (let d = STREAM_MINUTES - 1; d >= 0; d--) b[o + P + d] = d >= k ? b[o + P + d - k]! : 0;
}

/** Whether minute `minute - d` (d = 1..64) is marked seen. */
function seenBefore(rows: Rows, r: number, d: number): boolean {
  const b = rows.bits;
  return d <= 32 ? ((b[r * ROW + LO]! >>> (d - 1)) & 1) === 1 : ((b[r * ROW + HI]! >>> (d - 33)) & 1) === 1;
}

function markBefore(rows: Rows, r: number, d: number): void {
  if (d <= 32) rows.bits[r * ROW + LO]! |= 1 << (d - 1);
  else if (d <= SEEN_MINUTES) rows.bits[r * ROW + HI]! |= 1 << (d - 33);
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
function markPartial(rows: Rows, r: number, s: QosSample): void {
  if (rows.bits[r * ROW + P + 1]! & ~rows.bits[r * ROW + P]! & WHOLE_BITS) {
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
  /** Instance key -> participant key -> its row. */
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly rows = new Rows();
  /** Per row, its join's version (join-versions.ts), given to each sample handed on as new. */
  private readonly versions = new JoinVersions();
  /** The row of the join of the last offer. */
  private row = -1;
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
    const r = this.seen.get(instanceKeyOf(instance))?.get(join);
    return r === undefined ? -Infinity : this.rows.time[r]!;
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
    // Stable: in time order, so a batch's minutes are new in turn and repeats come after. A
    // poll's new samples mostly are (one minute each: normalize.ts skips the entries seen).
    const sorted = inTimeOrder(samples) ? samples : [...samples].sort((a, b) => a.time - b.time);
    const out: QosSample[] = [];
    let last: InstanceJoins | undefined;
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
        this.versioned(result, s);
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
  private offer(joins: Map<string, number>, s: QosSample, keep: boolean): DedupResult {
    const key = s.participant.key;
    const parts = partsOf(s);
    const minute = minuteOf(s.time);
    const rows = this.rows;
    const r = joins.get(key);
    this.passed = s;
    if (r === undefined) {
      this.joins++;
      joins.set(key, (this.row = rows.take(s.time, parts, keep ? s : undefined)));
      return 'new';
    }
    this.row = r;
    const b = rows.bits;
    const p = r * ROW + P;
    const d = minuteOf(rows.time[r]!) - minute;
    if (d < 0) {
      advance(rows, r, -d);
      rows.time[r] = s.time;
      rows.keep(r, keep ? s : undefined);
      b[p] = parts;
      if (keep) markPartial(rows, r, s);
      return 'new';
    }
    if (d === 0) {
      if (!(parts & ~b[p]!)) return 'duplicate';
      b[p]! |= parts;
      const last = rows.last?.[r];
      this.refinedFrom = last;
      // Without the newest sample (polled), the new parts go on alone, at the minute's time.
      const time = rows.time[r]!;
      this.passed = last ? merged(last, s) : s.time === time ? s : { ...s, time };
      refinements.add(this.passed);
      if (keep) {
        rows.keep(r, this.passed);
        markPartial(rows, r, this.passed);
      }
      return 'refined';
    }
    if (d > SEEN_MINUTES) return 'late';
    if (!seenBefore(rows, r, d)) {
      markBefore(rows, r, d);
      if (d < STREAM_MINUTES) b[p + d]! |= parts;
      return 'late';
    }
    if (d < STREAM_MINUTES && parts & ~b[p + d]!) {
      b[p + d]! |= parts;
      return 'late';
    }
    return 'duplicate';
  }

  /**
   * Gives the sample handed on its join's row and version (join-versions.ts) when it is new; a
   * refined minute (a part added: the sample or a copy) gets none, and is read in full.
   */
  private versioned(result: DedupResult, s: QosSample): void {
    if (result === 'new') setJoinOf(s, this.row, this.versions.see(this.row, s));
    else setJoinOf(this.passed!, -1, -1);
  }

  /**
   * The joins of the sample's instance: those of the one before while its kind and UUID are the
   * same (a poll's samples come instance by instance), not a key made and looked up per sample.
   */
  private joinsOf(s: QosSample, last: InstanceJoins | undefined): InstanceJoins {
    const i = s.instance;
    if (last && (last.instance === i || (last.instance.uuid === i.uuid && last.instance.kind === i.kind)))
      return last;
    const key = instanceKeyOf(i);
    let joins = this.seen.get(key);
    if (!joins) this.seen.set(key, (joins = new Map<string, number>()));
    return { instance: i, joins };
  }

  private prune(now: number): void {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const horizon = now - this.retentionMs;
    const quiet = now - QUIET_MS;
    const time = this.rows.time;
    for (const [key, joins] of this.seen) {
      for (const [join, r] of joins)
        if (time[r]! < horizon) {
          joins.delete(join);
          this.rows.release(r);
          this.versions.forget(r);
          this.joins--;
        } else if (time[r]! < quiet) this.versions.forget(r);
      if (!joins.size) this.seen.delete(key);
    }
  }

  /** Participants remembered. */
  get size(): number {
    return this.joins;
  }
}

const instanceKeyOf = (i: QosSample['instance']): string => `${i.kind}\u0000${i.uuid}`;

/** An instance (as a sample of it has it) and its joins (participant key -> row). */
interface InstanceJoins {
  readonly instance: QosSample['instance'];
  readonly joins: Map<string, number>;
}

/** Whether no sample is older than the one before it (then sorting by time keeps the order as it is). */
function inTimeOrder(samples: readonly QosSample[]): boolean {
  for (let i = 1; i < samples.length; i++) if (samples[i]!.time < samples[i - 1]!.time) return false;
  return true;
}
