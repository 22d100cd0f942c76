import { bench, describe } from 'vitest';
import { Pipeline } from './pipeline.js';
import { naiveRegistry } from './naive-registry.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { compare, gc, note, steady } from './ratio.js';
import { samples } from './workload.js';

const T = Date.parse('2026-01-01T10:00:00Z');

/** A daemon holding 5,000 live participants (100 meetings of 50), with the naive registry of its series. */
async function setUp(
  participantSeries: boolean,
): Promise<{ pipe: Pipeline; naive: ReturnType<typeof naiveRegistry> }> {
  const pipe = new Pipeline(T, participantSeries);
  pipe.daemon.parts.sink.handle({ type: 'samples', samples: samples(100, 50, T) });
  const text = await pipe.daemon.parts.metrics.text();
  const naive = naiveRegistry(text);
  note(
    `/metrics at 5,000 participants${participantSeries ? ', participant_series: true' : ', default'}`,
    `${naive.series} series, ${Math.round(text.length / 1024)} KiB`,
  );
  return { pipe, naive };
}

for (const participantSeries of [false, true]) {
  const what = participantSeries ? 'participant_series: true' : 'default settings';
  describe(`a scrape at 5,000 live participants (${what})`, () => {
    bench(
      'the daemon vs a naive prom-client registry holding the same series',
      async () => {
        // Set up here, not at collection: the other setting's daemon and registry (160k series)
        // would otherwise sit in the heap, and every garbage collection would walk them.
        const { pipe, naive } = await setUp(participantSeries);
        let minute = 0;
        let next: QosSample[] = [];
        // Every participant's next sample, made outside the timed region, then handed to the live
        // state and let go, as the daemon's sinks do. The naive side gets them too (an exporter
        // is handed new samples as well) and lets go of them: both start from the same state.
        const prepare = (): void => void (next = samples(100, 50, T + ++minute * 60_000));
        const hand = (): void => {
          pipe.daemon.parts.live.handle({ type: 'samples', samples: next });
          next = [];
        };
        const naiveSetAll = (): void => {
          next = [];
          naive.setAll();
        };
        // collect: each side pays for what it leaves alive, and for nothing else. Two scavenges
        // before each timed region (outside it): the new samples the setup made are promoted
        // there, not by the first collections inside the next scrape, and the other side's
        // garbage is not collected on this side's time. Two more at its end (inside it): the
        // daemon's new live participants (~5,000 objects a minute, kept) are promoted on its own
        // time; without these, the naive side's next untimed scavenge promoted them, and the
        // figure below read 0.68-0.73x where the daemon's whole minute costs ~1.1x.
        const rounds = { rounds: participantSeries ? 5 : 15, warmup: 2, collect: true };
        gc(); // what the figure before left is not carried into this one (outside the timed regions)
        await compare(
          `/metrics at 5,000 participants (${what}), after a new sample of every participant / naive registry`,
          {
            setup: () => {
              prepare();
              hand();
            },
            run: () => pipe.daemon.parts.metrics.text(),
          },
          { run: () => naive.registry.metrics() },
          rounds,
        );
        const ingestAndScrape = {
          setup: prepare,
          run: async () => {
            hand();
            await pipe.daemon.parts.metrics.text();
          },
        };
        const naiveIngestAndScrape = {
          setup: prepare,
          run: async () => {
            naiveSetAll();
            await naive.registry.metrics();
          },
        };
        gc(); // what the figure before left is not carried into this one (outside the timed regions)
        await compare(
          `new samples of every participant and a /metrics (${what}) / a naive registry's set of every series and scrape`,
          ingestAndScrape,
          naiveIngestAndScrape,
          rounds,
        );
        // The same minute, each side alone for consecutive minutes with no forced collection:
        // what a daemon doing only this pays, its major collections included.
        await steady(
          `new samples of every participant and a /metrics (${what}), steady state (each side alone for consecutive minutes, no forced collection, mean per minute) / a naive registry's set of every series and scrape`,
          ingestAndScrape,
          naiveIngestAndScrape,
          { blocks: 2, per: participantSeries ? 5 : 8, settle: 2 },
        );
        // A minute as Prometheus sees it when it scrapes every 15 s: the new samples, one scrape
        // after them and three of an unchanged state.
        const scrapes = async (scrape: () => Promise<unknown>): Promise<void> => {
          for (let i = 0; i < 4; i++) await scrape();
        };
        gc(); // what the figure before left is not carried into this one (outside the timed regions)
        await compare(
          `a minute of scrapes every 15 s (${what}): new samples of every participant and four /metrics / a naive registry's set of every series and four scrapes`,
          {
            setup: prepare,
            run: async () => {
              hand();
              await scrapes(() => pipe.daemon.parts.metrics.text());
            },
          },
          {
            setup: prepare,
            run: async () => {
              naiveSetAll();
              await scrapes(() => naive.registry.metrics());
            },
          },
          rounds,
        );
        gc(); // what the figure before left is not carried into this one (outside the timed regions)
        await compare(
          `/metrics at 5,000 participants (${what}), unchanged state / naive registry`,
          { run: () => pipe.daemon.parts.metrics.text() },
          { run: () => naive.registry.metrics() },
          rounds,
        );
        note(
          `scrape.bench.ts peak resident set up to the end of the ${what} figures`,
          `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
        );
      },
      { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
    );
  });
}
