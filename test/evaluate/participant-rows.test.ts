import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { MIN, rulesFrom, sample } from '../helpers/rules.js';

/**
 * Participant rules read a sample's column values from its row (columns.ts: the samples they
 * look at get one while they are read, at most MAX_ROWS of them) or, past that, from the column
 * arrays. A step with more joins to look at than there are rows takes both ways: every join's
 * alert must carry its own value and worst stream, whichever way it was read.
 */
const JOINS = 10_500; // more than MAX_ROWS (10,000)

const RULES = rulesFrom([
  { name: 'lat', streams: ['any_audio'], metric: 'latency', when: 'above', threshold: '300ms', for: '1m' },
  { name: 'jit', streams: ['any'], metric: 'jitter', when: 'above', threshold: '40ms', for: '0' },
]);

/** Join `j`'s latency (seconds, as samples hold it) at minute `m`: breaching, 310 ms and up; healthy at minute 2. */
const latencyOf = (j: number, m: number): number => (m === 2 ? 0.1 : (310 + (j % 200) + m) / 1000);
/** Join `j`'s jitter (seconds): breaching for even joins (on video), never for odd ones. */
const jitterOf = (j: number): number => (j % 2 ? 0.01 : (41 + (j % 7)) / 1000);

function minute(m: number): QosSample[] {
  const out: QosSample[] = [];
  for (let j = 0; j < JOINS; j++)
    out.push(
      sample(
        `p${j}`,
        m,
        {
          audio_input: { latency: 0.09, jitter: 0.005 },
          audio_output: { latency: latencyOf(j, m), jitter: 0.005 },
          video_input: { latency: 0.02, jitter: jitterOf(j) },
        },
        { instance: `m${Math.floor(j / 100)}` },
      ),
    );
  return out;
}

/** Join number -> the change of rule `rule` for it (each join once). */
function byJoin(changes: AlertChange[], rule: string): Map<number, AlertChange> {
  const out = new Map<number, AlertChange>();
  for (const c of changes.filter((x) => x.alert.rule === rule)) {
    const j = Number(c.alert.context.participantKey!.slice(1));
    expect(out.has(j)).toBe(false);
    out.set(j, c);
  }
  return out;
}

/** `changes` has `n` changes of `rule`, each to `state` with its join's `value` (and worst `stream`). */
function expectEach(
  changes: AlertChange[],
  rule: string,
  n: number,
  state: AlertChange['state'],
  value: (j: number) => number,
  stream?: string,
): void {
  const of = byJoin(changes, rule);
  expect(of.size).toBe(n);
  for (const [j, c] of of) {
    expect(c.state).toBe(state);
    expect(c.alert.value).toBe(value(j));
    if (stream) expect(c.alert.context.stream).toBe(stream);
  }
}

describe('participant rules over more joins than a step has rows', () => {
  it("give every join's alert its own value and worst stream, read from a row or from the columns", () => {
    const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });

    const first = engine.handle({ type: 'samples', samples: minute(0) });
    expectEach(first, 'jit', JOINS / 2, 'firing', jitterOf, 'video_input');
    expect(byJoin(first, 'lat').size).toBe(JOINS); // pending

    // Every join has series now: all of them are looked at, 500 read from the column arrays.
    const second = engine.handle({ type: 'samples', samples: minute(1) });
    expectEach(second, 'lat', JOINS, 'firing', (j) => latencyOf(j, 1), 'audio_output');
    expect(byJoin(second, 'jit').size).toBe(0); // still firing: no change

    const third = engine.handle({ type: 'samples', samples: minute(2) });
    expectEach(third, 'lat', JOINS, 'resolved', (j) => latencyOf(j, 2));
    for (const a of engine.active())
      expect(a.value).toBe(jitterOf(Number(a.context.participantKey!.slice(1))));
    expect(engine.active()).toHaveLength(JOINS / 2);
  });
});
