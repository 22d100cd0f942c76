import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { EvaluatedUpTo } from '../../src/evaluate/evaluated.js';
import { AlertStateStore, savedMembers } from '../../src/evaluate/state-store.js';
import { writeFileAtomic } from '../../src/util/atomic-file.js';
import { fiftyRules } from './fifty-rules.js';
import { compare, gc, note } from './ratio.js';
import { samples } from './workload.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('state-save.bench.ts');

// The alert state saved after every cycle (alerts.json): 620 meetings of 100 participants, 5%
// degraded against 50 rules (the 8 defaults and variants at other thresholds, as in
// evaluate.bench.ts), four minutes fed so that their 52,700 series fire. The reference writes
// the same state as it was written before: the whole of it through one JSON.stringify, and
// atomically (fsynced) as the store does. Each side collects the garbage first (outside the
// timed region): the 40 MiB texts of the rounds before stacked up to a 978 MiB peak.
const rules = fiftyRules();
const T = Date.parse('2026-01-01T10:00:00Z');

describe('alert state save', () => {
  bench(
    'alerts.json after a cycle, 52,700 firing series: the store vs one JSON.stringify of the state',
    async () => {
      const first = samples(620, 100, T, 0.05);
      const engine = new RuleEngine(rules, { gapToleranceMs: 300_000 });
      const evaluated = new EvaluatedUpTo();
      for (let m = 0; m < 4; m++) {
        const minute = first.map((s) => ({ ...s, time: T + m * 60_000 }));
        engine.handle(evaluated.filter({ type: 'samples', samples: minute }));
      }
      const dir = mkdtempSync(join(tmpdir(), 'qw-save-bench-'));
      const store = new AlertStateStore(dir);
      const plain = join(dir, 'plain.json');
      gc();
      try {
        await compare(
          `alerts.json save, ${engine.state.series.size} firing series, ${evaluated.size} participants, store / one JSON.stringify of the state, written the same way`,
          { setup: gc, run: () => store.save(engine.state, evaluated.entries()) },
          {
            setup: gc,
            run: () =>
              writeFileAtomic(
                plain,
                JSON.stringify({
                  version: 1,
                  labels: 2,
                  series: [...engine.state.series.values()],
                  evaluated: Object.fromEntries(evaluated.entries()),
                  members: savedMembers(engine.state),
                  resolved: [],
                }),
              ),
          },
          { rounds: 3, warmup: 1 },
        );
        // A cycle in which no series came, went or moved (a long incident): the per-cycle save
        // (not forced) is skipped up to 4 times in a row; the next minute is fed outside the timed region.
        let m = 4;
        let wrote = 0;
        await compare(
          `alerts.json per-cycle save after a minute in which no series changed, ${engine.state.series.size} firing series: skipped / written`,
          {
            setup: () => {
              const time = T + m++ * 60_000;
              const minute = first.map((s) => ({ ...s, time }));
              engine.handle(evaluated.filter({ type: 'samples', samples: minute }));
              gc();
            },
            run: () => {
              if (store.save(engine.state, evaluated.entries(), [], false)) wrote++;
            },
          },
          { setup: gc, run: () => store.save(engine.state, evaluated.entries()) },
          { rounds: 3, warmup: 0 },
        );
        note('alerts.json per-cycle saves written of the 3 quiet minutes above', String(wrote));
        const mib = (f: string): string => `${(statSync(f).size / 2 ** 20).toFixed(1)} MiB`;
        note(
          'alerts.json size, 52,700 firing series: the store / one JSON.stringify',
          `${mib(store.file)} / ${mib(plain)}`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
