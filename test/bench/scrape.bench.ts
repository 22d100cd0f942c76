import { fork, type ChildProcess } from 'node:child_process';
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

  load<T>(load: {
    samples: readonly QosSample[];
    at: number;
    participantSeries: boolean;
    text?: string;
  }): Promise<T> {
    return this.ask<T>({ op: 'load', ...load });
  }

  /** New samples, outside the timed region; with `take`, the daemon takes them in there (not timed). */
  hand(samples: readonly QosSample[], take = false): Promise<unknown> {
    return this.ask({ op: 'hand', samples, take });
  }

  /** A round timed there: the samples handed taken in or let go of, every series set (naive, `setAll`), `scrapes` scrapes. */
  round(scrapes: number, collect: boolean, setAll = false): Promise<Timing> {
    return this.ask<Timing>({ op: 'round', scrapes, collect, setAll });
  }

  gc(): Promise<unknown> {
    return this.ask({ op: 'gc' });
  }

  async maxRssMiB(): Promise<number> {
    return (await this.ask<{ maxRssKiB: number }>({ op: 'rss' })).maxRssKiB / 1024;
  }

  stop(): void {
    this.child.disconnect();
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

/**
 * Both sides loaded with the same first minute: the daemon's first scrape's text (24 MB with
 * participant series) is handed to the naive side and let go of when this returns; kept as a
 * local of the bench's async function it stayed alive in the runner to its end (h23b, 24-50 MiB).
 */
async function loadBoth(
  daemon: ScrapeSide,
  naive: ScrapeSide,
  participantSeries: boolean,
): Promise<{ series: number; kib: number }> {
  const first = samples(100, 50, T);
  const { text } = await daemon.load<{ text: string }>({ samples: first, at: T, participantSeries });
  const { series } = await naive.load<{ series: number }>({ samples: first, at: T, participantSeries, text });
  return { series, kib: Math.round(text.length / 1024) };
}

for (const participantSeries of [false, true]) {
  const what = participantSeries ? 'participant_series: true' : 'default settings';
  describe(`a scrape at 5,000 live participants (${what})`, () => {
    bench(
      'the daemon vs a naive prom-client registry holding the same series',
      async () => {
        // 5,000 live participants (100 meetings of 50) in each side's daemon; the naive registry
        // holds the series of the daemon's first scrape.
        const [daemon, naive] = await Promise.all([ScrapeSide.start('daemon'), ScrapeSide.start('naive')]);
        const { series, kib } = await loadBoth(daemon, naive, participantSeries);
        note(
          `/metrics at 5,000 participants${participantSeries ? ', participant_series: true' : ', default'}`,
          `${series} series, ${kib} KiB`,
        );
        let minute = 0;
        // Every participant's next sample, made here outside the timed region and handed to both
        // sides (an exporter is handed new samples as well): the daemon's live state takes them
        // in, the naive side lets go of them; both have the same samples to collect.
        const next = (): QosSample[] => samples(100, 50, T + ++minute * 60_000);
        const side = (
          s: ScrapeSide,
          { scrapes = 1, collect = true, fresh = false, setAll = false } = {},
        ): Side => ({
          ...(fresh ? { setup: () => s.hand(next()) } : {}),
          run: () => s.round(scrapes, collect, setAll),
          timesItself: true,
          gc: () => s.gc(),
        });
        const collected = async (): Promise<void> => {
          gc();
          await Promise.all([daemon.gc(), naive.gc()]);
        };
        // collect: each side pays for what it leaves alive, and for nothing else. Two scavenges
        // before each timed region (outside it): the new samples the setup made are promoted
        // there, not by the first collections inside the next scrape. Two more at its end (inside
        // it): the daemon's new live participants (~5,000 objects a minute, kept) are promoted on
        // its own time.
        const rounds = { rounds: participantSeries ? 5 : 15, warmup: 2, collect: true };
        await collected(); // what the figure before left is not carried into this one (outside the timed regions)
        await compare(
          `/metrics at 5,000 participants (${what}), after a new sample of every participant / naive registry`,
          { setup: () => daemon.hand(next(), true), run: () => daemon.round(1, true), timesItself: true },
          side(naive),
          rounds,
        );
        await collected();
        await compare(
          `new samples of every participant and a /metrics (${what}) / a naive registry's set of every series and scrape`,
          side(daemon, { fresh: true }),
          side(naive, { fresh: true, setAll: true }),
          rounds,
        );
        // The same minute, each side alone for consecutive minutes with no forced collection:
        // what a daemon doing only this pays, its major collections included.
        await steady(
          `new samples of every participant and a /metrics (${what}), steady state (each side alone for consecutive minutes, no forced collection, mean per minute) / a naive registry's set of every series and scrape`,
          side(daemon, { fresh: true, collect: false }),
          side(naive, { fresh: true, setAll: true, collect: false }),
          { blocks: 2, per: participantSeries ? 5 : 8, settle: 2 },
        );
        // A minute as Prometheus sees it when it scrapes every 15 s: the new samples, one scrape
        // after them and three of an unchanged state.
        await collected();
        await compare(
          `a minute of scrapes every 15 s (${what}): new samples of every participant and four /metrics / a naive registry's set of every series and four scrapes`,
          side(daemon, { fresh: true, scrapes: 4 }),
          side(naive, { fresh: true, setAll: true, scrapes: 4 }),
          rounds,
        );
        await collected();
        await compare(
          `/metrics at 5,000 participants (${what}), unchanged state / naive registry`,
          side(daemon),
          side(naive),
          rounds,
        );
        const [own, d, n] = [
          process.resourceUsage().maxRSS / 1024,
          await daemon.maxRssMiB(),
          await naive.maxRssMiB(),
        ];
        daemon.stop();
        naive.stop();
        note(
          `scrape.bench.ts peak resident set up to the end of the ${what} figures`,
          `the bench runner ${own.toFixed(0)} MiB, the daemon's process ${d.toFixed(0)} MiB, the naive registry's ${n.toFixed(0)} MiB; all three together at most ${(own + d + n).toFixed(0)} MiB`,
        );
      },
      { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
    );
  });
}
