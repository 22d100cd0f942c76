import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { scenarioFrom, type RawScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { seeded } from '../helpers/storm.js';
import { BenchClock } from './bench-clock.js';
import { readOwned, snapshotNow } from './heap-owned.js';
import { note, objectHeapUsed, settledDataHeapUsed, settledGc } from './ratio.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('churn.bench.ts');

const T0 = Date.parse('2026-11-20T00:00:00Z');
const HOUR = 3_600_000;
const mib = (n: number): string => `${(n / 1048576).toFixed(2)} MiB`;
/** Days of churn, one after the other (CHURN_DAYS=2: does the growth of the first day stop in the second?). */
const DAYS = Math.max(1, Math.floor(Number(process.env.CHURN_DAYS ?? 1)));
const DAY_HOURS = 24 * DAYS;
/** Hours run after the day: longer than the 3-hour windows the daemon keeps ended joins for. */
const AFTER_HOURS = 4;
/** The hours fitted: the first has the warm-up (modules loaded and code compiled on first use), the last the day's end. */
const FIT_FROM = 2;
const FIT_TO = 22;
/** The steady hours of each day: 02:00 to 22:00 of that day. */
const DAY_FITS = Array.from({ length: DAYS }, (_, d) => [24 * d + FIT_FROM, 24 * d + FIT_TO] as const);
/** The simulator runs in the bench's process: its objects are not the daemon's. */
const SIMULATOR = ['ZoomSimulator', 'World'];
/** Holders kept of the two snapshots compared by holder: enough that a small one that grows shows. */
const HOLDERS = 2_000;

type RawMeeting = NonNullable<RawScenario['meetings']>[number];

/**
 * A day of churn: a meeting starts every 4 minutes from 00:00 to 23:00 and lasts 20 to 100
 * minutes, its 4 to 16 participants joining and leaving at random within it (one in four stays
 * to the end); three all-day meetings whose people come and go all day (about 10 an hour
 * each); one meeting in ten has a network episode. Everything has ended by 24:00.
 */
function dayOfChurn(day: number): RawScenario {
  const rnd = seeded(16 + day);
  const offset = day * 24 * 60;
  const meetings: RawMeeting[] = [];
  const episodes: NonNullable<RawScenario['episodes']> = [];
  let n = 0;
  let user = 30_000_000 + day * 1_000_000;
  const person = (
    joinMin: number,
    leaveMin: number | undefined,
  ): NonNullable<RawMeeting['participants']>[number] => ({
    user_id: String(user++),
    name: `Person ${user % 997}`,
    join: `${joinMin}m`,
    ...(leaveMin === undefined ? {} : { leave: `${leaveMin}m` }),
  });
  for (let start = 10; start <= 23 * 60; start += 4) {
    const length = 20 + Math.floor(rnd() * 81);
    const count = 4 + Math.floor(rnd() * 13);
    const id = 87_000_000_000 + day * 10_000 + n++;
    const participants = Array.from({ length: count }, () => {
      const joinAt = Math.floor(rnd() * length * 0.5);
      const stays = rnd() < 0.25;
      return person(joinAt, stays ? undefined : joinAt + 5 + Math.floor(rnd() * (length - joinAt)));
    });
    meetings.push({
      id,
      topic: `Meeting ${n}`,
      start: `${offset + start}m`,
      end: `${offset + start + length}m`,
      participants,
    });
    if (n % 10 === 3)
      episodes.push({
        where: { instance: id },
        from: `${offset + start}m`,
        to: `${offset + start + length}m`,
        audio: { latency: '450ms', jitter: '60ms', avg_loss: '9%' },
      });
  }
  for (let k = 0; k < 3; k++) {
    const participants = [];
    for (let minute = 0; minute < 23 * 60 + 30; minute += 6)
      participants.push(person(minute, Math.min(23 * 60 + 50, minute + 20 + Math.floor(rnd() * 100))));
    meetings.push({
      id: 88_000_000_000 + day * 10 + k,
      topic: `All day ${k}`,
      start: `${offset + 10}m`,
      end: `${offset + 23 * 60 + 55}m`,
      participants,
    });
  }
  return { name: 'day of churn', seed: 16, meetings, episodes };
}

/** DAYS days of churn, one after the other. */
function daysOfChurn(): RawScenario {
  const days = Array.from({ length: DAYS }, (_, d) => dayOfChurn(d));
  return {
    name: DAYS === 1 ? 'day of churn' : `${DAYS} days of churn`,
    seed: 16,
    meetings: days.flatMap((d) => d.meetings ?? []),
    episodes: days.flatMap((d) => d.episodes ?? []),
  };
}

interface Point {
  hour: number;
  live: number;
  /** Heap without compiled code (dataHeapUsed), above the start. */
  heap: number;
  /** Heap without compiled code, bytecode or their metadata (objectHeapUsed), above the start. */
  objects: number;
  /**
   * What the daemon holds by a heap snapshot (code of every kind and the simulator left out),
   * above the start: read after the run from the hour's snapshot file.
   */
  owned?: number;
  /** That snapshot's file, until it is read. */
  file?: string;
}

/** A 3x3 determinant. */
const det3 = (m: number[][]): number =>
  m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
  m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
  m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);

/**
 * Least squares of y = fixed + perParticipant x live + perHour x hour, with each coefficient's
 * standard error: what a live participant costs, and whether anything grows with time alone.
 */
function fit(
  points: Point[],
  y: (p: Point) => number,
): { fixed: number; perParticipant: number; perHour: number; se: [number, number, number] } {
  // The normal equations of a 3-parameter linear model, solved by Cramer's rule.
  const rows = points.map((p) => [1, p.live, p.hour]);
  const a = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((n, r) => n + r[i]! * r[j]!, 0)));
  const b = [0, 1, 2].map((i) => rows.reduce((n, r, k) => n + r[i]! * y(points[k]!), 0));
  const d = det3(a);
  const solve = (col: number): number => det3(a.map((r, i) => r.map((v, j) => (j === col ? b[i]! : v)))) / d;
  const c = [solve(0), solve(1), solve(2)];
  // Residual variance times the diagonal of the inverse normal matrix (its cofactors over d).
  const rss = points.reduce((n, p, k) => n + (y(p) - rows[k]!.reduce((m, x, i) => m + x * c[i]!, 0)) ** 2, 0);
  const s2 = rss / Math.max(1, points.length - 3);
  const minor = (i: number): number => {
    const [p, q] = [0, 1, 2].filter((j) => j !== i) as [number, number];
    return a[p]![p]! * a[q]![q]! - a[p]![q]! * a[q]![p]!;
  };
  const se = [0, 1, 2].map((i) => Math.sqrt((s2 * minor(i)) / d)) as [number, number, number];
  return { fixed: c[0]!, perParticipant: c[1]!, perHour: c[2]!, se };
}

/** The 15 holders whose bytes changed most from `a` to `b`, a line each. */
function changedHolders(a: ReturnType<typeof readOwned>, b: ReturnType<typeof readOwned>): string {
  return [...new Set([...a.byOwner.keys(), ...b.byOwner.keys()])]
    .map((k) => [k, (b.byOwner.get(k) ?? 0) - (a.byOwner.get(k) ?? 0)] as const)
    .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))
    .slice(0, 15)
    .map(([k, d]) => `${d > 0 ? '+' : ''}${(d / 1024).toFixed(1).padStart(8)}  ${k}`)
    .join('\n');
}

describe('a day of churn', () => {
  bench(
    `the daemon over the simulator (HTTP) for ${DAY_HOURS} simulated hours and ${AFTER_HOURS} after: heap after a full GC (code left out) every hour`,
    async () => {
      const virtual = new VirtualClock(T0);
      const clock = new BenchClock(virtual);
      const sim = new ZoomSimulator(
        scenarioFrom({ start: new Date(T0).toISOString(), ...daysOfChurn() }, T0),
        virtual,
      );
      const url = await sim.listen(0, '127.0.0.1');
      const config = demoConfig(url, mkdtempSync(join(tmpdir(), 'qw-churn-')), 0);
      config.zoom!.dailyShare = 1;
      config.videosdk!.dailyShare = 1;
      config.sources = { meetings: true, webinars: false, sessions: false };
      config.metrics.topicLabel = false; // default settings
      const daemon = new Daemon(config, { clock, log: silentLogger() });
      const api = await daemon.listen(0);
      const scrape = async (): Promise<number> => (await (await fetch(`${api}/metrics`)).text()).length;

      // One scrape first: the bench's own HTTP client (Node's fetch, about 2 MiB once loaded) is in
      // the start, not in the daemon's growth. The start holds the simulator's day and the
      // daemon's fixed state (rules, registry).
      await scrape();
      // Heap snapshots are written now and every hour, and read only after the run: reading one
      // compiles and runs code here, which the hours measured after it would count as growth.
      const dir = mkdtempSync(join(tmpdir(), 'qw-churn-heap-'));
      const startFile = await snapshotNow(join(dir, 'start.heapsnapshot'));
      const base = await settledDataHeapUsed();
      const baseObjects = objectHeapUsed();
      const live = (): number => {
        let n = 0;
        for (const i of daemon.parts.live.instances.values()) n += i.participants.size;
        return n;
      };
      const rows: string[] = [];
      let hour = 0;
      let cycles = 0;
      let scrapedBytes = 0;
      const points: Point[] = [];
      const stop = new AbortController();
      const started = performance.now();
      await daemon.run(stop.signal, () => {
        cycles++;
        const at = virtual.now();
        // The last cycle does not scrape: the daemon closes its API as run() returns, and a
        // scrape still in flight then would end in a connection reset.
        if (at >= T0 + (DAY_HOURS + AFTER_HOURS + 0.5) * HOUR) return stop.abort();
        clock.between = scrape().then((n) => (scrapedBytes = n));
        if (at < T0 + (hour + 1) * HOUR) return;
        hour = Math.floor((at - T0) / HOUR);
        clock.between = clock.between.then(async () => {
          const heap = (await settledDataHeapUsed()) - base;
          const objects = objectHeapUsed() - baseObjects;
          const people = live();
          const file = await snapshotNow(join(dir, `hour-${hour}.heapsnapshot`));
          points.push({ hour, live: people, heap, objects, file });
          rows.push(
            `${String(hour).padStart(2)} h  ${String(people).padStart(4)} live  ${String(daemon.parts.live.instances.size).padStart(3)} meetings  heap +${mib(heap)}  without bytecode and code metadata +${mib(objects)}  scrape ${(scrapedBytes / 1024).toFixed(0)} KiB`,
          );
          process.stderr.write(`${rows.at(-1)}  (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
        });
      });
      await settledGc();
      const after: Point = {
        hour: DAY_HOURS + AFTER_HOURS,
        live: live(),
        heap: (await settledDataHeapUsed()) - base,
        objects: objectHeapUsed() - baseObjects,
      };
      const lastFile = await snapshotNow(join(dir, 'last.heapsnapshot'));
      await sim.close();
      const start = readOwned(startFile, SIMULATOR);
      const last = readOwned(lastFile, SIMULATOR, HOLDERS);
      let steadyStart = start;
      // The last day's steady hours, read by holder too: with two days or more, what still grows
      // from its 02:00 to its 22:00 (similar live counts) is what the first day's loading left out.
      const [lastFrom, lastTo] = DAY_FITS.at(-1)!;
      const held = new Map<number, ReturnType<typeof readOwned>>();
      for (const p of points) {
        const byHolder = p.hour === FIT_FROM || (DAYS > 1 && (p.hour === lastFrom || p.hour === lastTo));
        const owned = readOwned(p.file!, SIMULATOR, byHolder ? HOLDERS : undefined);
        if (p.hour === FIT_FROM) steadyStart = owned;
        if (byHolder) held.set(p.hour, owned);
        p.owned = owned.bytes - start.bytes;
        delete p.file;
      }
      rmSync(dir, { recursive: true, force: true });
      console.log(
        `[series] the daemon's objects every hour by heap snapshot (code of every kind and the simulator left out; +: above the start)\n${points.map((p) => `${String(p.hour).padStart(2)} h  ${String(p.live).padStart(4)} live  +${mib(p.owned!)}`).join('\n')}`,
      );
      console.log(
        `[series] heap over a day of churn (after a full GC, compiled code left out; +: above the heap before the first cycle)\n${rows.join('\n')}`,
      );
      note(
        'a day of churn: cycles, simulated vs real time',
        `${cycles} cycles, ${DAY_HOURS + AFTER_HOURS}.5 h in ${((performance.now() - started) / 1000).toFixed(0)} s; ${sim.scenario.instances.length} meetings, ${sim.scenario.instances.reduce((m, i) => m + i.participants.length, 0)} joins`,
      );
      // The fit is over the steady hours only (FIT_FROM to FIT_TO: 88-132 live all along). Over
      // every hour, the last one (15 live while the 3-hour windows still hold the day's last
      // joins) and the first (modules loaded and code compiled on first use) drove it, and k
      // moved 2.35-8.28 KiB with the machine's load. Live hardly varies in the steady hours, so
      // k's standard error is wide there: the poller bench (2,000 vs 200) is the per-participant
      // figure; this one is g, growth with time. Each figure is given for the heap the other
      // benches read (compiled code left out) and without bytecode and code metadata too, which
      // is where V8's optimizing compiler grows over a day (docs/architecture.md), and for the
      // daemon's own objects by heap snapshot, which leaves every kind of code out (feedback
      // vectors and dependent code included, which the second figure still counts): that g is
      // the daemon's growth with time.
      const kib = (n: number): string => (n / 1024).toFixed(2);
      // Each day's steady hours are fitted on their own: with two days, the second day's g says
      // whether the first day's growth was one-time loading that stops or a leak that goes on.
      for (const [from, to] of DAY_FITS) {
        const steady = points.filter((p) => p.hour >= from && p.hour <= to);
        if (steady.length < 4) continue;
        for (const [what, y] of [
          ['heap (compiled code left out)', (p: Point) => p.heap],
          ['heap without bytecode and code metadata', (p: Point) => p.objects],
          ["the daemon's objects by heap snapshot (code of every kind left out)", (p: Point) => p.owned ?? 0],
        ] as const) {
          const f = fit(steady, y);
          note(
            `a day of churn: ${what}, least squares over hours ${from}-${to}: heap = fixed + k x live + g x hour`,
            `g = ${kib(f.perHour)} ± ${kib(f.se[2])} KiB per hour, k = ${kib(f.perParticipant)} ± ${kib(f.se[1])} KiB, fixed = ${mib(f.fixed)}; live ${Math.min(...steady.map((p) => p.live))}-${Math.max(...steady.map((p) => p.live))}`,
          );
        }
      }
      if (DAYS > 1) {
        const same = DAY_FITS.map(([from]) => points.find((p) => p.hour === from)).filter(
          (p) => p !== undefined,
        );
        note(
          `${DAYS} days of churn: the daemon's objects at 02:00 of each day (heap snapshot, above the start)`,
          same.map((p) => `hour ${p.hour}: +${mib(p.owned ?? 0)} (${p.live} live)`).join(' / '),
        );
      }
      const at = (h: number): Point | undefined => points.find((p) => p.hour === h);
      const early = at(FIT_FROM) ?? points[0]!;
      note(
        `a day of churn: heap above the start at hour ${early.hour} (${early.live} live) / ${AFTER_HOURS} h after the day (${after.live} live)`,
        `${mib(early.heap)} / ${mib(after.heap)}; without bytecode and code metadata ${mib(early.objects)} / ${mib(after.objects)}`,
      );
      // What a heap snapshot says the daemon holds 4 h after the day above the start, and its
      // largest holders that changed from the first steady hour to then: what the day left behind
      // (the start is before the first cycle, when undici and the modules of a cycle were not
      // loaded yet; they are the start-to-end difference's largest part).
      const changed = changedHolders(steadyStart, last);
      note(
        `a day of churn: objects the daemon holds ${AFTER_HOURS} h after the day (heap snapshot: code of every kind and the simulator left out), above the start / above hour ${FIT_FROM}`,
        `+${mib(last.bytes - start.bytes)} / +${mib(last.bytes - steadyStart.bytes)} (${after.live} live)`,
      );
      console.log(
        `[series] the daemon's largest holders that changed from hour ${FIT_FROM} to ${AFTER_HOURS} h after the day (KiB)\n${changed}`,
      );
      const [from, to] = [held.get(lastFrom), held.get(lastTo)];
      if (from && to)
        console.log(
          `[series] the daemon's largest holders that changed from hour ${lastFrom} to hour ${lastTo} (the last day's steady hours; ${to.bytes - from.bytes >= 0 ? '+' : ''}${((to.bytes - from.bytes) / 1024).toFixed(1)} KiB in all) (KiB)\n${changedHolders(from, to)}`,
        );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
