import { loadavg } from 'node:os';
import { runInNewContext } from 'node:vm';
import {
  getHeapCodeStatistics,
  getHeapSpaceStatistics,
  getHeapStatistics,
  setFlagsFromString,
} from 'node:v8';

/** What one side of a comparison does once; setup before it, outside the timed region. */
export interface Side {
  run: () => unknown;
  setup?: () => unknown;
  /**
   * The side times itself: `run` resolves to the milliseconds to count (a start-up timed to
   * its first answer, without the stop that follows it in `run`), or, for work done in another
   * process, to that process's wall and CPU milliseconds (this process only waits meanwhile).
   */
  timesItself?: boolean;
  /** For a side whose work runs in another process: a full collection there, where steady() collects here. */
  gc?: () => unknown;
  /**
   * What the side does when it hands the machine to the other side, outside the timed regions:
   * after each of compare()'s runs and after each of steady()'s blocks. For a side in a process
   * of its own that holds hundreds of MiB (scrape.bench.ts): it gives back its garbage, so that
   * only one side's garbage is resident at a time.
   */
  release?: () => unknown;
}

export interface Ratio {
  figure: string;
  subjectMs: number;
  referenceMs: number;
  /** Median over rounds of subject / reference, each pair measured back to back. */
  ratio: number;
  /** The process's CPU time (every thread: the collector's helpers too), median per round. */
  cpu?: { subjectMs: number; referenceMs: number; ratio: number };
}

export interface Timing {
  ms: number;
  cpuMs: number;
}

/** The process's CPU time so far (every thread), in ms. */
export const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function timed(side: Side, collect: boolean): Promise<Timing> {
  await side.setup?.();
  // What the setup (or the other side's round) left in the young generation is collected, and
  // what of it lives on promoted, before the timed region, not by the first scavenges inside it.
  if (collect) youngGc();
  const cpu = cpuNow();
  const start = performance.now();
  const own = await side.run();
  // ... and what the run itself leaves alive is scavenged and promoted inside its own timed
  // region: otherwise it would be paid for by the next side's untimed collection (a side that
  // makes new objects per round and keeps them looked cheaper than one that updates in place).
  if (collect) youngGc();
  const ms = performance.now() - start;
  const cpuMs = cpuNow() - cpu;
  if (side.timesItself) {
    if (typeof own === 'number') return { ms: own, cpuMs };
    if (isTiming(own)) return own;
    throw new Error('a side that times itself must resolve to its milliseconds, or to { ms, cpuMs }');
  }
  return { ms, cpuMs };
}

const isTiming = (x: unknown): x is Timing =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as Timing).ms === 'number' &&
  typeof (x as Timing).cpuMs === 'number';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Times `subject` against `reference` in alternating rounds (reference, subject, reference,
 * ...), so a shared machine's load falls on both alike, and prints the median ratio with the
 * absolute medians, the process CPU and the load average at the time. The first `warmup` rounds
 * are not counted. With `collect`, each side pays for what it leaves alive and for nothing else:
 * two scavenges (young generation collections) precede each timed run, outside the timed region
 * (what a setup allocated, or the other side left, is not collected inside the next timed
 * region), and two more end it, inside the timed region (what the run allocated and keeps is
 * promoted on its own time). Not a full collection: its concurrent sweeping would go on inside
 * the timed region.
 */
export async function compare(
  figure: string,
  subject: Side,
  reference: Side,
  { rounds = 5, warmup = 1, collect = false }: { rounds?: number; warmup?: number; collect?: boolean } = {},
): Promise<Ratio> {
  const s: Timing[] = [];
  const r: Timing[] = [];
  for (let i = 0; i < warmup + rounds; i++) {
    const rt = await timed(reference, collect);
    await reference.release?.();
    const st = await timed(subject, collect);
    await subject.release?.();
    if (i < warmup) continue;
    r.push(rt);
    s.push(st);
  }
  const result: Ratio = {
    figure,
    subjectMs: median(s.map((t) => t.ms)),
    referenceMs: median(r.map((t) => t.ms)),
    ratio: median(s.map((t, i) => t.ms / r[i]!.ms)),
    cpu: {
      subjectMs: median(s.map((t) => t.cpuMs)),
      referenceMs: median(r.map((t) => t.cpuMs)),
      ratio: median(s.map((t, i) => t.cpuMs / r[i]!.cpuMs)),
    },
  };
  report(result);
  return result;
}

/**
 * The steady state: each side alone for `per` consecutive rounds, in alternating blocks
 * (reference, subject, ...), with no forced collection inside a block, so that each pays for
 * the collections its own work brings on, minor and major, as a daemon doing only that work
 * would. A full collection precedes each block; its first `settle` rounds are not counted (the
 * sweeping after it). Prints the ratio of the means per round (collections included), wall and CPU.
 */
export async function steady(
  figure: string,
  subject: Side,
  reference: Side,
  { blocks = 2, per = 6, settle = 2 }: { blocks?: number; per?: number; settle?: number } = {},
): Promise<Ratio> {
  const s: Timing[] = [];
  const r: Timing[] = [];
  for (let b = 0; b < blocks; b++)
    for (const [side, into] of [
      [reference, r],
      [subject, s],
    ] as const) {
      // Each block starts from a collected heap (the sweeping that follows falls on its first,
      // uncounted rounds): what the block before stacked up is not carried into this one.
      gc();
      await side.gc?.();
      for (let i = 0; i < per; i++) {
        const t = await timed(side, false);
        if (i >= settle) into.push(t);
      }
      await side.release?.();
    }
  const ms = (ts: Timing[]): number => mean(ts.map((t) => t.ms));
  const cpuMs = (ts: Timing[]): number => mean(ts.map((t) => t.cpuMs));
  const result: Ratio = {
    figure,
    subjectMs: ms(s),
    referenceMs: ms(r),
    ratio: ms(s) / ms(r),
    cpu: { subjectMs: cpuMs(s), referenceMs: cpuMs(r), ratio: cpuMs(s) / cpuMs(r) },
  };
  report(result);
  return result;
}

export function report({ figure, subjectMs, referenceMs, ratio, cpu }: Ratio): void {
  const cpuText = cpu
    ? `; CPU ${cpu.ratio.toFixed(2)}x (${fmt(cpu.subjectMs)} vs ${fmt(cpu.referenceMs)})`
    : '';
  console.log(
    `[figure] ${figure}: ${ratio.toFixed(2)}x (${fmt(subjectMs)} vs ${fmt(referenceMs)}${cpuText}; load ${loadavg()[0]!.toFixed(1)})`,
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

/**
 * Full collections until what they queued has run: a collection queues the finalizers of what
 * it found dead, and only they free some of it (undici takes a request's abort listener off a
 * long-lived signal in one). Without this a daemon that makes HTTP calls read a few hundred KB
 * more or less from one measurement to the next, depending on its last calls.
 */
export async function settledGc(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/**
 * Heap in use after a full collection without compiled code, bytecode and their metadata: every space
 * less V8's own count of code with its metadata (relocation info, deoptimization data, source
 * positions) and of bytecode with its metadata, wherever they live. On Node 20 an optimized
 * function's metadata is in old space beside the data, so dataHeapUsed counts it; over a day
 * of churn it grows as the optimizing compiler reaches more code, then shrinks when that code
 * goes cold (docs/architecture.md, "Memory over a day"). Feedback vectors and the dependent-code
 * lists are not in V8's count, so some of that growth is still read here.
 */
export function objectHeapUsed(): number {
  gc();
  const code = getHeapCodeStatistics();
  return getHeapStatistics().used_heap_size - code.code_and_metadata_size - code.bytecode_and_metadata_size;
}

/** dataHeapUsed after settledGc. */
export async function settledDataHeapUsed(): Promise<number> {
  await settledGc();
  return dataHeapUsed();
}
