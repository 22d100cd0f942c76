import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { EvaluatedUpTo } from '../../src/evaluate/evaluated.js';
import { AlertStateStore, restoredState } from '../../src/evaluate/state-store.js';
import { MIN, rulesFrom, sample } from '../helpers/rules.js';

const rules = rulesFrom([
  { name: 'lat', metric: 'latency', when: 'above', threshold: '300ms', streams: ['any_audio'], for: '2m' },
]);
const latency = (m: number, latency: number) => sample('a', m, { audio_input: { latency } });

/** An engine and what it evaluated, fed one minute at a time as the daemon does. */
function daemonLike(saved?: ReturnType<AlertStateStore['load']>) {
  const engine = new RuleEngine(
    rules,
    { gapToleranceMs: 5 * MIN },
    saved ? restoredState(saved.series, saved.members) : undefined,
  );
  const evaluated = new EvaluatedUpTo(saved?.evaluated);
  const minute = (m: number, value: number): AlertChange[] =>
    engine.handle(evaluated.filter({ type: 'samples', samples: [latency(m, value)] }));
  return { engine, evaluated, minute };
}

describe('the per-cycle alert state save', () => {
  it('is skipped (at most 4 times in a row) after a cycle that changed nothing but newest times', () => {
    const store = new AlertStateStore(mkdtempSync(join(tmpdir(), 'qw-save-')));
    const { engine, evaluated, minute } = daemonLike();
    const save = (): boolean => store.save(engine.state, evaluated.entries(), [], false);
    const written: boolean[] = [];
    minute(0, 0.4); // goes pending
    written.push(save());
    minute(1, 0.4); // still pending, not yet due: only its newest time and value moved
    written.push(save());
    const lastTime = (): number =>
      (JSON.parse(readFileSync(store.file, 'utf8')) as { series: { lastTime: number }[] }).series[0]!
        .lastTime;
    expect(lastTime()).toBe(latency(0, 0).time);
    minute(2, 0.4); // fires
    written.push(save());
    for (let m = 3; m < 9; m++) {
      minute(m, 0.4); // firing, still breaching
      written.push(save());
    }
    expect(written).toEqual([true, false, true, false, false, false, false, true, false]);
    expect(lastTime()).toBe(latency(7, 0).time);
    expect(store.save(engine.state, evaluated.entries())).toBe(true); // forced (a stop)
    expect(lastTime()).toBe(latency(8, 0).time);
  });

  it('left behind by skipped saves, is caught up by the minutes Zoom repeats after a restart: nothing repeated, nothing lost', () => {
    const store = new AlertStateStore(mkdtempSync(join(tmpdir(), 'qw-save-')));
    const before = daemonLike();
    for (let m = 0; m < 5; m++) {
      before.minute(m, 0.4); // fires at minute 2, saved; minutes 3-4 change nothing
      store.save(before.engine.state, before.evaluated.entries(), [], false);
    }
    // Killed after minute 4; Zoom answers minutes 2-4 again after the restart.
    const after = daemonLike(store.load());
    const again: AlertChange[] = [];
    for (let m = 2; m < 5; m++) again.push(...after.minute(m, 0.4));
    expect(again).toEqual([]);
    expect(after.engine.active()).toMatchObject([
      { state: 'firing', firingSince: latency(2, 0).time, lastSampleAt: latency(4, 0).time },
    ]);
    const resolved = after.minute(5, 0.1);
    expect(resolved.map((c) => c.state)).toEqual(['resolved']);
  });
});
