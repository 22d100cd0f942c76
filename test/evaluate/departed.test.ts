import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { AlertStateStore, restoredState } from '../../src/evaluate/state-store.js';
import type { Departed } from '../../src/evaluate/series.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { fromRoot } from '../../src/util/package-root.js';
import { MIN, T } from '../helpers/rules.js';

/**
 * A firing data-center incident's departures (departed.ts) are written in place while one pass
 * of the engine counts them (a meeting of N members that ends: N writes, not N copies of up to N
 * members: test/bench/departures.bench.ts), and never changed once the pass handed them on.
 */
const RULES = loadRules([fromRoot('rules', 'default.yaml')]);
const INCIDENT = 'datacenter-loss-incident|NY';
const BIG = Array.from({ length: 40 }, (_, i) => `p${i}`);

function sample(key: string, meeting: string, minute: number, loss: number, dc = 'NY'): QosSample {
  return {
    instance: { kind: 'meeting', id: meeting, uuid: meeting, topic: meeting },
    participant: { key, name: key, email: '', ip: '' },
    context: { networkType: 'Wifi', device: 'Windows', dataCenter: dc },
    time: T + minute * MIN,
    streams: { audio_input: { avgLoss: loss } },
  };
}

/** NY's incident fires: BIG breach in "big", x, y and z are healthy in "small". */
function firing(): RuleEngine {
  const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
  for (let m = 0; m < 4; m++) engine.handle({ type: 'samples', samples: minute(m, BIG) });
  expect(engine.state.series.get(INCIDENT)?.state).toBe('firing');
  return engine;
}

const minute = (m: number, big: string[], dc: (p: string) => string = () => 'NY'): QosSample[] => [
  ...big.map((p) => sample(p, 'big', m, 0.09, dc(p))),
  ...['x', 'y', 'z'].map((p) => sample(p, 'small', m, 0.001)),
];

const departed = (engine: RuleEngine): Departed | undefined => engine.state.series.get(INCIDENT)?.departed;
const leaves = (engine: RuleEngine, p: string, m: number): AlertChange[] =>
  engine.handle({ type: 'left', instance: sample(p, 'big', m, 0).instance, participant: p, at: T + m * MIN });
const copy = (d: Departed | undefined): unknown => JSON.parse(JSON.stringify(d)) as unknown;

describe("a firing incident's departures", () => {
  it('count each member of a meeting that ends once, and what a pass before handed on stays as it was', () => {
    const engine = firing();
    leaves(engine, 'p0', 4);
    const first = departed(engine)!;
    const firstThen = copy(first);
    expect(firstThen).toEqual({ left: 1, moved: 0, members: { 'meeting:big/p0': 'left' }, fresh: true });
    engine.handle({ type: 'ended', instance: sample('p1', 'big', 4, 0).instance, at: T + 4 * MIN });
    const ended = departed(engine)!;
    expect(ended).not.toBe(first);
    expect(copy(first)).toEqual(firstThen);
    expect([ended.left, ended.moved, Object.keys(ended.members!).length]).toEqual([40, 0, 40]);
    expect(Object.values(ended.members!).every((how) => how === 'left')).toBe(true);

    // Saved and loaded, and on to its resolve: the 40 who left, the 3 remaining healthy.
    const store = new AlertStateStore(mkdtempSync(join(tmpdir(), 'qw-departed-')));
    store.save(engine.state, new Map());
    const saved = store.load();
    const again = new RuleEngine(
      RULES,
      { gapToleranceMs: 5 * MIN },
      restoredState(saved.series, saved.members),
    );
    expect(copy(departed(again))).toEqual(copy(ended));
    const changes: AlertChange[] = [];
    for (let m = 4; m < 7; m++) changes.push(...again.handle({ type: 'samples', samples: minute(m, []) }));
    const resolve = changes.find(
      (c) => c.state === 'resolved' && c.alert.rule === 'datacenter-loss-incident',
    );
    expect(resolve?.alert.reason).toBe('left');
    expect(resolve?.alert.annotations.summary).toMatch(
      /^40 breaching participants left data center NY; all 3 participants remaining are healthy/,
    );
  });

  it('count members who move out in one sample step once each, without changing what the step before handed on', () => {
    const engine = firing();
    const away = new Set(['p0', 'p1']);
    engine.handle({ type: 'samples', samples: minute(4, BIG, (p) => (away.has(p) ? 'SC' : 'NY')) });
    const first = departed(engine)!;
    const firstThen = copy(first);
    expect(firstThen).toEqual({
      left: 0,
      moved: 2,
      members: { 'meeting:big/p0': 'moved', 'meeting:big/p1': 'moved' },
    });
    // p0 comes back and leaves the meeting: one who moved out is one who moved; p2 and p3 leave.
    engine.handle({ type: 'samples', samples: minute(5, BIG, (p) => (p === 'p1' ? 'SC' : 'NY')) });
    for (const p of ['p0', 'p2', 'p3']) leaves(engine, p, 6);
    expect(copy(first)).toEqual(firstThen);
    const now = departed(engine)!;
    expect([now.left, now.moved, now.members]).toEqual([
      2,
      2,
      {
        'meeting:big/p0': 'moved',
        'meeting:big/p1': 'moved',
        'meeting:big/p2': 'left',
        'meeting:big/p3': 'left',
      },
    ]);
  });

  it('count the members of meetings a reconcile finds ended, leaving the counts before it as they were', () => {
    const engine = firing();
    leaves(engine, 'p0', 4);
    const first = departed(engine)!;
    const firstThen = copy(first);
    engine.reconcile(new Set(['meeting:small']), T + 5 * MIN);
    expect(copy(first)).toEqual(firstThen);
    expect(departed(engine)?.left).toBe(40);
  });
});
