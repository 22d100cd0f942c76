import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import type { QosSample } from '../../src/normalize/sample.js';
import { fromRoot } from '../../src/util/package-root.js';
import { compare, gc, note, steady, type Side, type Timing } from './ratio.js';
import { printTreePeak } from './tree-peak.js';
import { samples } from './workload.js';

const T = Date.parse('2026-01-01T10:00:00Z');

printTreePeak('scrape.bench.ts');

/**
 * Both sides' processes run with the heap limit Node gives a process in a 2 GiB container (a
 * quarter of its memory), not the 4 GiB it takes on the bench machine (24 GiB): with that
 * limit V8 lets the old generation grow to 4x what it kept at its last full collection before
 * the next, and the naive registry's process, whose scrapes leave 24 MB texts behind, stood at
 * 747 MiB resident, mostly garbage (the bench's tree peaked at 1,419 MiB, of a 1 GiB bound).
 * The same flag on both sides: each collects as a daemon in such a container would.
 */
const SIDE_FLAGS = ['--max-old-space-size=512'];

/**
 * Both sides stay alive, their rounds alternating; when a side hands the machine to the other
 * and stands more than this above its resident set once loaded, it gives its garbage back (a full
 * collection, outside the timed regions): what two sides' garbage at its height would sum to
 * (the bench's tree had peaked at 903-1,017 MiB of a 1 GiB bound so) is never resident at once.
 */
const RELEASE_OVER_MIB = 48;

/**
 * One side in a process of its own (scrape-side.mjs: a daemon, and either its /metrics or a
 * naive prom-client registry of the same series), asked over IPC. Both sides alike: the same
 * built daemon holding the same samples, a scrape timed as the HTTP server answers one (the
 * text, its length in bytes and its UTF-8 bytes, as `res.end` does), each side's rounds timed in
 * its own process.
 */
class ScrapeSide {
  private constructor(private readonly child: ChildProcess) {}

  static async start(side: 'daemon' | 'naive'): Promise<ScrapeSide> {
    const child = fork(fromRoot('test', 'bench', 'scrape-side.mjs'), [], {
      env: { ...process.env, QW_SIDE: side },
      execArgv: SIDE_FLAGS,
    });
    const s = new ScrapeSide(child);
    await s.ask(undefined);
    return s;
  }

  /** The first minute's samples; the daemon writes its first scrape to `textFile`, the naive side makes its registry of it. */
  load<T>(load: {
    samples: readonly QosSample[];
    at: number;
    participantSeries: boolean;
    textFile: string;
  }): Promise<T> {
    return this.ask<T>({ op: 'load', ...load });
  }

  /**
   * Every participant's sample at minute `minute` after the first, made there outside the timed
   * region (the first minute's, copied, at the new time); with `take`, the daemon takes them in
   * there (not timed).
   */
  hand(minute: number, take = false): Promise<unknown> {
    return this.ask({ op: 'hand', minute, take });
  }

  /** A round timed there: the samples handed taken in or let go of, every series set (naive, `setAll`), `scrapes` scrapes. */
  round(scrapes: number, collect: boolean, setAll = false): Promise<Timing> {
    return this.ask<Timing>({ op: 'round', scrapes, collect, setAll });
  }

  gc(): Promise<unknown> {
    return this.ask({ op: 'gc' });
  }

  /** The largest resident set this side stood at when it handed the machine over (release), MiB. */
  releasedMiB = 0;
  /** How many of its releases gave its garbage back (a full collection), of how many. */
  collections = 0;
  releases = 0;

  /**
   * The machine handed to the other side (ratio.ts's Side.release; scrape-side.mjs): its garbage
   * given back if it stands more than RELEASE_OVER_MIB above its resident set once loaded.
   */
  async release(): Promise<void> {
    const r = await this.ask<{ rssMiB: number; collected: boolean }>({
      op: 'release',
      overMiB: RELEASE_OVER_MIB,
    });
    this.releasedMiB = Math.max(this.releasedMiB, r.rssMiB);
    this.releases++;
    if (r.collected) this.collections++;
  }

  async maxRssMiB(): Promise<number> {
    return (await this.ask<{ maxRssKiB: number }>({ op: 'rss' })).maxRssKiB / 1024;
  }

  /** Ends the process, and resolves once it has exited (its memory given back). */
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await exited;
  }

  private ask<T>(message: object | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const answered = (m: unknown): void => {
        this.child.off('error', failed).off('exit', exited);
        resolve(m as T);
      };
      const failed = (err: Error): void => {
        this.child.off('message', answered).off('exit', exited);
        reject(err);
      };
      // A side that dies (no dist/: `npm run build` first; out of memory) fails the bench
      // instead of leaving it waiting for an answer that never comes.
      const exited = (code: number | null, signal: string | null): void =>
        failed(
          new Error(
            `scrape-side.mjs exited (${signal ?? `code ${code}`}) before answering; it runs the built daemon: npm run build first`,
          ),
        );
      this.child.once('message', answered);
      this.child.once('error', failed);
      this.child.once('exit', exited);
      if (message) this.child.send(message);
    });
  }
}

/** A figure of the file: a ratio of the daemon's runs to the naive registry's, measured by compare() or steady(). */
interface Figure {
  figure: string;
  /** compare() (the two sides' rounds alternating) or steady() (their blocks alternating), printed. */
  ratio: (figure: string, daemon: Side, naive: Side) => Promise<unknown>;
  /** Each side's Side in this figure; `next` counts the side's minutes (every participant's next sample). */
  daemon: (s: ScrapeSide, next: () => number) => Side;
  naive: (s: ScrapeSide, next: () => number) => Side;
  /** A full collection in both sides' processes (and here) before the figure, outside its timed regions. */
  collectedBefore: boolean;
}

/** What one side does in a round of a figure (see ScrapeSide.hand and round). */
const side = (
  s: ScrapeSide,
  next: () => number,
  { scrapes = 1, collect = true, fresh = false, setAll = false } = {},
): Side => ({
  ...(fresh ? { setup: () => s.hand(next()) } : {}),
  run: () => s.round(scrapes, collect, setAll),
  timesItself: true,
  gc: () => s.gc(),
  release: () => s.release(),
});

/**
 * The figures, in the order they run. collect: each side pays for what it leaves
 * alive, and for nothing else. Two scavenges before each timed region (outside it): the new
 * samples the setup made are promoted there, not by the first collections inside the next
 * scrape. Two more at its end (inside it): the daemon's new live participants (~5,000 objects a
 * minute, kept) are promoted on its own time.
 */
function figures(what: string, participantSeries: boolean): Figure[] {
  const rounds = { rounds: participantSeries ? 5 : 15, warmup: 2, collect: true };
  const paired = {
    ratio: (figure: string, daemon: Side, naive: Side) => compare(figure, daemon, naive, rounds),
    collectedBefore: true,
  };
  return [
    {
      figure: `/metrics at 5,000 participants (${what}), after a new sample of every participant / naive registry`,
      ...paired,
      daemon: (s, next) => ({
        setup: () => s.hand(next(), true),
        run: () => s.round(1, true),
        timesItself: true,
        release: () => s.release(),
      }),
      naive: (s, next) => side(s, next),
    },
    {
      figure: `new samples of every participant and a /metrics (${what}) / a naive registry's set of every series and scrape`,
      ...paired,
      daemon: (s, next) => side(s, next, { fresh: true }),
      naive: (s, next) => side(s, next, { fresh: true, setAll: true }),
    },
    // The same minute, each side alone for consecutive minutes with no forced collection: what
    // a daemon doing only this pays, its major collections included.
    {
      figure: `new samples of every participant and a /metrics (${what}), steady state (each side alone for consecutive minutes, no forced collection, mean per minute) / a naive registry's set of every series and scrape`,
      ratio: (figure, daemon, naive) =>
        steady(figure, daemon, naive, { blocks: 2, per: participantSeries ? 5 : 8, settle: 2 }),
      collectedBefore: false,
      daemon: (s, next) => side(s, next, { fresh: true, collect: false }),
      naive: (s, next) => side(s, next, { fresh: true, setAll: true, collect: false }),
    },
    // A minute as Prometheus sees it when it scrapes every 15 s: the new samples, one scrape
    // after them and three of an unchanged state.
    {
      figure: `a minute of scrapes every 15 s (${what}): new samples of every participant and four /metrics / a naive registry's set of every series and four scrapes`,
      ...paired,
      daemon: (s, next) => side(s, next, { fresh: true, scrapes: 4 }),
      naive: (s, next) => side(s, next, { fresh: true, setAll: true, scrapes: 4 }),
    },
    {
      figure: `/metrics at 5,000 participants (${what}), unchanged state / naive registry`,
      ...paired,
      daemon: (s, next) => side(s, next),
      naive: (s, next) => side(s, next),
    },
  ];
}

/**
 * The two sides' processes, both loaded with the first minute of 5,000 live participants (100
 * meetings of 50), then every figure's rounds, the two sides' alternating. Every participant's
 * next sample is made in the side's process, outside the timed region, and handed to the side
 * (an exporter is handed new samples as well): the daemon's live state takes them in, the naive
 * side lets go of them. Each side has its own minutes, the same for both. (Made here and sent
 * over IPC, 5,000 samples twice a round, they had the runner at 240 MiB of the tree's peak.)
 */
async function measure(
  list: Figure[],
  participantSeries: boolean,
  textFile: string,
): Promise<{ loaded: { kib?: number; series?: number }; memory: string }> {
  const sides: Partial<Record<'daemon' | 'naive', ScrapeSide>> = {};
  const first = samples(100, 50, T);
  const loaded: { kib?: number; series?: number } = {};
  try {
    // The daemon's side first: its first scrape, written to textFile, is the naive registry's series.
    for (const which of ['daemon', 'naive'] as const) {
      const s = (sides[which] = await ScrapeSide.start(which));
      Object.assign(loaded, await s.load({ samples: first, at: T, participantSeries, textFile }));
      await s.release();
    }
    const { daemon, naive } = sides as Record<'daemon' | 'naive', ScrapeSide>;
    const minutes = (): (() => number) => {
      let minute = 0;
      return () => ++minute;
    };
    const [daemonNext, naiveNext] = [minutes(), minutes()];
    for (const f of list) {
      if (f.collectedBefore) {
        // What the figure before left is not carried into this one (outside the timed regions).
        gc();
        await daemon.gc();
        await naive.gc();
      }
      await f.ratio(f.figure, f.daemon(daemon, daemonNext), f.naive(naive, naiveNext));
    }
    const mib = (n: number): string => `${n.toFixed(0)} MiB`;
    const memory = async (name: string, s: ScrapeSide): Promise<string> =>
      `${name} ${mib(await s.maxRssMiB())} (${mib(s.releasedMiB)} at most when the other side's turn began; its garbage given back ${s.collections} times of ${s.releases})`;
    return {
      loaded,
      memory: `${await memory("the daemon's process", daemon)}, ${await memory("the naive registry's", naive)}`,
    };
  } finally {
    for (const s of Object.values(sides)) await s.stop();
  }
}

for (const participantSeries of [false, true]) {
  const what = participantSeries ? 'participant_series: true' : 'default settings';
  describe(`a scrape at 5,000 live participants (${what})`, () => {
    bench(
      'the daemon vs a naive prom-client registry holding the same series',
      async () => {
        // Both sides alive, their rounds alternating (naive, daemon, naive, ...; steady(): their
        // blocks), so that a change of the machine's load falls on both alike; a side whose
        // garbage stands high gives it back before the other's turn (RELEASE_OVER_MIB).
        const list = figures(what, participantSeries);
        const dir = mkdtempSync(join(tmpdir(), 'qw-scrape-'));
        try {
          const { loaded, memory } = await measure(list, participantSeries, join(dir, 'first-scrape.txt'));
          note(
            `/metrics at 5,000 participants${participantSeries ? ', participant_series: true' : ', default'}`,
            `${loaded.series} series, ${loaded.kib} KiB`,
          );
          note(
            `scrape.bench.ts peak resident set up to the end of the ${what} figures`,
            `the bench runner ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, ${memory} (both alive)`,
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
    );
  });
}
