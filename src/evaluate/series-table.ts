/** A participant series' state in the table: its lifecycle state (0: no series) and whether it asks for its record. */
export const PENDING = 1;
export const FIRING = 2;
/** Its record holds what the table does not (a recovery under way, an explanation, an unread pending change). */
export const SLOW = 4;
const STATE = 3;

/** Blocks per chunk (a power of 2). */
const SHIFT = 6;
const BLOCKS = 1 << SHIFT;

/** What the table reads of a series record when it takes it in (SeriesTable.add) and after it took a step. */
export interface TableRecord {
  state: 'inactive' | 'pending' | 'firing';
  lastTime: number;
  value: number;
  pendingSince?: number;
  priorWorst?: number;
  priorWorstAt?: number;
}

/**
 * Numbers per entry: newest time, value, pending start, and the episode's worst value before the
 * newest time and when (lifecycle.ts' Series.priorWorst), in that order.
 */
const NUMS = 5;

/**
 * The entries of BLOCKS joins' blocks (see SeriesTable), each array made once at its full size:
 * more joins with series take more chunks, and nothing is copied or left over as the table grows.
 */
export class Chunk<R extends TableRecord> {
  /** Per entry: its state (PENDING or FIRING, 0 without a series) and SLOW. */
  readonly meta: Uint8Array;
  /** Per entry: its NUMS numbers in a row (NaN: no pending start, no worst yet). */
  readonly nums: Float64Array;
  /** Per entry: the join slot's stamp its record's context was built at (0: unknown). */
  readonly builtAt: Int32Array;
  /** Per entry: the worst stream its context was built with, plus 128 when the person had other devices. */
  readonly builtWith: Uint8Array;
  readonly records: (R | undefined)[];
  /** Per block: its join slot, and its entries with a series. */
  readonly slotOf = new Int32Array(BLOCKS);
  readonly live = new Int32Array(BLOCKS);
  /**
   * Per block: the other-devices answer of its join (1 or 2; 0: not found) at the slot stamp
   * and JoinNames version it was found at.
   */
  readonly otherAnswer = new Uint8Array(BLOCKS);
  readonly otherStamp = new Int32Array(BLOCKS);
  readonly otherNames = new Int32Array(BLOCKS);

  /** Entries in the chunk: an entry's place in it is its number modulo this. */
  readonly span: number;

  constructor(width: number) {
    const n = BLOCKS * width;
    this.span = n;
    this.meta = new Uint8Array(n);
    this.nums = new Float64Array(NUMS * n);
    this.builtAt = new Int32Array(n);
    this.builtWith = new Uint8Array(n);
    this.records = new Array<R | undefined>(n).fill(undefined);
  }

  /**
   * lifecycle.ts' `stays` on entry `k`: for an observation that leaves a series without SLOW
   * where it is, writes its time and value (the value before it, of an earlier time, folded
   * into the episode's worst, going `up` or down) and returns true; false for any other.
   */
  stays(
    k: number,
    time: number,
    value: number,
    breaching: boolean,
    recovered: boolean,
    forMs: number,
    gapMs: number,
    up: boolean,
  ): boolean {
    const m = this.meta[k]!;
    const j = NUMS * k;
    const nums = this.nums;
    const last = nums[j]!;
    if (time < last || last <= 0) return false;
    if (m === FIRING) {
      if (recovered) return false;
    } else if (m !== PENDING || !breaching || time - last > gapMs || time - nums[j + 2]! >= forMs)
      return false;
    if (time > last) {
      const was = nums[j + 1]!;
      const w = nums[j + 3]!; // NaN: none yet, and any value is worse
      if (up ? !(was <= w) : !(was >= w)) {
        nums[j + 3] = was;
        nums[j + 4] = last;
      }
    }
    nums[j] = time;
    nums[j + 1] = value;
    return true;
  }

  /** Whether entry `k` is a series (pending or firing). */
  has(k: number): boolean {
    return (this.meta[k]! & STATE) !== 0;
  }

  /**
   * Entry `e`'s number `field` (NUMS' order; NaN: none): where a participant record reads them
   * (series.ts), `e` its number in the table.
   */
  num(e: number, field: number): number {
    return this.nums[NUMS * (e % this.span) + field]!;
  }

  /** Writes entry `e`'s `field` (see `num`). */
  setNum(e: number, field: number, v: number): void {
    this.nums[NUMS * (e % this.span) + field] = v;
  }

  /** Writes entry `k`'s state from its record (after the record took a step of its own). */
  store(k: number, rec: TableRecord, slow: boolean): void {
    this.meta[k] =
      (rec.state === 'firing' ? FIRING : rec.state === 'pending' ? PENDING : 0) | (slow ? SLOW : 0);
  }
}

/**
 * The participant series by join slot and participant rule (its index in the rule set's
 * participant rules), in typed arrays: per series its state, newest time, value and pending
 * start, and what its context was built from. A join with series has a block of one entry per
 * participant rule; a join without has none (the usual case: no memory per healthy join). The
 * rule passes read a series that stays where it is (pending and not due, firing and not
 * recovered) here alone, with no object and no lookup by name (issue 16); its record (series.ts)
 * is looked at only when it changes state, and reads its newest time, value and pending start
 * here (they are not in the record).
 *
 * An entry is known by its number, block x width + rule; blocks are kept in chunks of BLOCKS.
 */
export class SeriesTable<R extends TableRecord> {
  /** Per join slot: its block plus 1 (0: none). */
  private blockOf = new Int32Array(64);
  private readonly free: number[] = [];
  private readonly chunks: Chunk<R>[] = [];
  private blocks = 0;

  constructor(
    /** Entries per block: the rule set's participant rules. */
    readonly width: number,
  ) {}

  /** The block of the join in `slot`; -1 when it has no series. */
  block(slot: number): number {
    return slot < this.blockOf.length ? this.blockOf[slot]! - 1 : -1;
  }

  /** The chunk holding block `b`. */
  chunk(b: number): Chunk<R> {
    return this.chunks[b >> SHIFT]!;
  }

  /** The chunk holding entry `e`. */
  chunkOf(e: number): Chunk<R> {
    return this.chunk((e / this.width) | 0);
  }

  /** Block `b`'s first entry in its chunk. */
  first(b: number): number {
    return (b & (BLOCKS - 1)) * this.width;
  }

  /** The number of the entry of `slot` and rule `r`, its block made when missing. */
  entry(slot: number, r: number): number {
    let b = this.block(slot);
    if (b < 0) {
      if (slot >= this.blockOf.length) {
        const grown = new Int32Array(Math.max(slot + 1, this.blockOf.length * 2));
        grown.set(this.blockOf);
        this.blockOf = grown;
      }
      b = this.free.pop() ?? this.blocks++;
      if (b >> SHIFT >= this.chunks.length) this.chunks.push(new Chunk<R>(this.width));
      this.blockOf[slot] = b + 1;
      const c = this.chunk(b);
      c.slotOf[b & (BLOCKS - 1)] = slot;
      c.otherAnswer[b & (BLOCKS - 1)] = 0;
    }
    return b * this.width + r;
  }

  /** Takes `rec` into entry `e` (from `entry`), with its state and numbers as it has them. */
  add(e: number, rec: R, slow: boolean): void {
    const b = (e / this.width) | 0;
    const c = this.chunk(b);
    const k = this.local(e, b);
    c.live[b & (BLOCKS - 1)]!++;
    c.records[k] = rec;
    c.builtAt[k] = 0;
    const j = NUMS * k;
    c.nums[j] = rec.lastTime;
    c.nums[j + 1] = rec.value;
    c.nums[j + 2] = rec.pendingSince ?? NaN;
    c.nums[j + 3] = rec.priorWorst ?? NaN;
    c.nums[j + 4] = rec.priorWorstAt ?? NaN;
    c.store(k, rec, slow);
  }

  /** Lets go of entry `e`'s series; a block left without any is freed. */
  remove(e: number): void {
    const b = (e / this.width) | 0;
    const c = this.chunk(b);
    const k = this.local(e, b);
    c.records[k] = undefined;
    c.meta[k] = 0;
    c.builtAt[k] = 0;
    if (--c.live[b & (BLOCKS - 1)]! > 0) return;
    this.blockOf[c.slotOf[b & (BLOCKS - 1)]!] = 0;
    this.free.push(b);
  }

  /** Entry `e`'s chunk and its place there: (e's block's chunk, the place). */
  private local(e: number, b: number): number {
    return e - (b >> SHIFT) * BLOCKS * this.width;
  }

  /** Writes entry `e`'s state from its record (see Chunk.store). */
  store(e: number, rec: R, slow: boolean): void {
    const b = (e / this.width) | 0;
    this.chunk(b).store(this.local(e, b), rec, slow);
  }

  /** Marks entry `e`'s record as built from the join at `stamp`, with `built` (Chunk.builtWith). */
  built(e: number, stamp: number, built: number): void {
    const b = (e / this.width) | 0;
    const c = this.chunk(b);
    const k = this.local(e, b);
    c.builtAt[k] = stamp;
    c.builtWith[k] = built;
  }

  /**
   * The other-devices answer kept for block `b` (JoinNames.otherDevices): 1 (no) or 2 (yes)
   * when found for the join's `stamp` at JoinNames version `names`, else 0.
   */
  otherDevices(b: number, stamp: number, names: number): number {
    const c = this.chunk(b);
    const i = b & (BLOCKS - 1);
    return c.otherStamp[i] === stamp && c.otherNames[i] === names ? c.otherAnswer[i]! : 0;
  }

  /** Keeps block `b`'s other-devices answer (see `otherDevices`). */
  keepOtherDevices(b: number, stamp: number, names: number, other: boolean): void {
    const c = this.chunk(b);
    const i = b & (BLOCKS - 1);
    c.otherAnswer[i] = other ? 2 : 1;
    c.otherStamp[i] = stamp;
    c.otherNames[i] = names;
  }

  /** The records of the join in `slot`. */
  *of(slot: number): IterableIterator<R> {
    const b = this.block(slot);
    if (b < 0) return;
    const c = this.chunk(b);
    const first = this.first(b);
    for (let k = first; k < first + this.width; k++) {
      const rec = c.records[k];
      if (rec) yield rec;
    }
  }
}
