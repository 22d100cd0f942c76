import { loadavg } from 'node:os';
import { runInNewContext } from 'node:vm';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** What one side of a comparison does once; setup before it, outside the timed region. */
export interface Side {
  run: () => unknown;
  setup?: () => unknown;
  /**
   * The side times itself: `run` resolves to the milliseconds to count (a start-up timed to
   * its first answer, without the stop that follows it in `run`).
   */
  timesItself?: boolean;
}

export interface Ratio {
  figure: string;
  subjectMs: number;
  referenceMs: number;
  /** Median over rounds of subject / reference, each pair measured back to back. */
  ratio: number;
}

async function timed(side: Side, collect: boolean): Promise<number> {
  await side.setup?.();
  // What the setup (or the other side's round) left in the young generation is collected, and
  // what of it lives on promoted, before the timed region, not by the first scavenges inside it.
  if (collect) youngGc();
  const start = performance.now();
  const own = await side.run();
  if (side.timesItself) {
    if (typeof own !== 'number') throw new Error('a side that times itself must resolve to its milliseconds');
    return own;
  }
  return performance.now() - start;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Times `subject` against `reference` in alternating rounds (reference, subject, reference,
 * ...), so a shared machine's load falls on both alike, and prints the median ratio with the
 * absolute medians and the load average at the time. The first `warmup` rounds are not counted.
 * With `collect`, two scavenges (young generation collections) precede each timed run: what a
 * setup allocates (or the other side left) is not collected inside the next timed region. Not a
 * full collection: its concurrent sweeping would go on inside the timed region.
 */
export async function compare(
  figure: string,
  subject: Side,
  reference: Side,
  { rounds = 5, warmup = 1, collect = false }: { rounds?: number; warmup?: number; collect?: boolean } = {},
): Promise<Ratio> {
  const s: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < warmup + rounds; i++) {
    const rt = await timed(reference, collect);
    const st = await timed(subject, collect);
    if (i < warmup) continue;
    r.push(rt);
    s.push(st);
  }
  const result = {
    figure,
    subjectMs: median(s),
    referenceMs: median(r),
    ratio: median(s.map((v, i) => v / r[i]!)),
  };
  report(result);
  return result;
}

export function report({ figure, subjectMs, referenceMs, ratio }: Ratio): void {
  console.log(
    `[figure] ${figure}: ${ratio.toFixed(2)}x (${fmt(subjectMs)} vs ${fmt(referenceMs)}; load ${loadavg()[0]!.toFixed(1)})`,
  );
}

/** A figure that is not a ratio (heap per participant, say), printed the same way. */
export function note(figure: string, value: string): void {
  console.log(`[figure] ${figure}: ${value} (load ${loadavg()[0]!.toFixed(1)})`);
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

let gcFn: ((options?: { type: 'major' | 'minor' }) => void) | undefined;

/** V8's gc(), exposed at run time (no --expose-gc needed on the command line). */
function v8Gc(): NonNullable<typeof gcFn> {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as NonNullable<typeof gcFn>;
  }
  return gcFn;
}

/** A full garbage collection. */
export function gc(): void {
  v8Gc()();
  v8Gc()();
}

/** Two scavenges: the young generation emptied, its survivors promoted. */
function youngGc(): void {
  v8Gc()({ type: 'minor' });
  v8Gc()({ type: 'minor' });
}

/** Heap in use after a full collection. */
export function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap in use after a full collection, without compiled code (code_space, code_large_object_space):
 * what the optimizing compiler adds as functions get hot is not data the daemon holds.
 */
export function dataHeapUsed(): number {
  gc();
  let n = 0;
  for (const s of getHeapSpaceStatistics()) if (!s.space_name.startsWith('code')) n += s.space_used_size;
  return n;
}
