import { bench, describe } from 'vitest';
import { Pipeline } from './pipeline.js';
import { naiveRegistry } from './naive-registry.js';
import { compare, note } from './ratio.js';
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
        let next = samples(100, 50, T);
        // Every participant's next sample, made outside the timed region, then handed to the live state.
        const prepare = (): void => void (next = samples(100, 50, T + ++minute * 60_000));
        const hand = (): void => pipe.daemon.parts.live.handle({ type: 'samples', samples: next });
        // collect: each timed region starts with an empty young generation. Otherwise the new
        // samples and live participants the daemon's setup allocated (~5,000 of each) were
        // scavenged and promoted by the first collections inside its scrape, and the naive
        // registry's scrape collected the garbage of the round before it.
        const rounds = { rounds: participantSeries ? 5 : 15, warmup: 2, collect: true };
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
        await compare(
          `new samples of every participant and a /metrics (${what}) / a naive registry's set of every series and scrape`,
          {
            setup: prepare,
            run: async () => {
              hand();
              await pipe.daemon.parts.metrics.text();
            },
          },
          {
            run: async () => {
              naive.setAll();
              await naive.registry.metrics();
            },
          },
          rounds,
        );
        await compare(
          `/metrics at 5,000 participants (${what}), unchanged state / naive registry`,
          { run: () => pipe.daemon.parts.metrics.text() },
          { run: () => naive.registry.metrics() },
          rounds,
        );
      },
      { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
    );
  });
}
