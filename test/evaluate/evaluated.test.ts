import { describe, expect, it } from 'vitest';
import { EvaluatedUpTo } from '../../src/evaluate/evaluated.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { MIN, sample } from '../helpers/rules.js';

/** Zoom's meeting UUIDs are base64: they may hold a `/`, as a participant key may. */
const UUID = 'ab/cd+ef==';
const at = (p: string, m: number, instance = UUID): QosSample =>
  sample(p, m, { audio_input: { latency: 0.1 } }, { instance });

/** The participants and minutes of the samples that pass. */
function passed(e: EvaluatedUpTo, samples: QosSample[]): string[] {
  const out = e.filter({ type: 'samples', samples });
  return out.type === 'samples'
    ? out.samples.map((s) => `${s.participant.key}@${(s.time - samples[0]!.time) / MIN}`)
    : [];
}

describe('EvaluatedUpTo', () => {
  it('drops the minutes evaluated before a restart, whatever `/` the instance and participant keys hold', () => {
    const before = new EvaluatedUpTo();
    passed(before, [at('a/1', 0), at('a', 0), at('a/1', 1), at('b', 1, 'other')]);
    const saved = Object.fromEntries(before.entries());
    expect(saved).toEqual({
      [`meeting:${UUID}/a/1`]: at('a', 1).time,
      [`meeting:${UUID}/a`]: at('a', 0).time,
      'meeting:other/b': at('b', 1).time,
    });

    const after = new EvaluatedUpTo(saved);
    // Zoom repeats minutes 0-1: only the minutes after each participant's saved one pass.
    expect(passed(after, [at('a/1', 0), at('a', 0), at('a/1', 1), at('a', 1), at('a/1', 2)])).toEqual([
      'a@1',
      'a/1@2',
    ]);
    expect(passed(after, [at('b', 1, 'other'), at('b', 2, 'other')])).toEqual(['b@1']);
    // Saved again as it was, the times moved on.
    expect(Object.fromEntries(after.entries())).toEqual({
      [`meeting:${UUID}/a/1`]: at('a', 2).time,
      [`meeting:${UUID}/a`]: at('a', 1).time,
      'meeting:other/b': at('b', 2).time,
    });
    expect(after.size).toBe(3);
  });

  it('judges every sample of a batch against the times before it', () => {
    const e = new EvaluatedUpTo();
    expect(passed(e, [at('a', 0), at('a', 0)])).toEqual(['a@0', 'a@0']);
    expect(passed(e, [at('a', 0)])).toEqual([]);
  });

  it('forgets participants, saved or seen, with nothing newer than its keep time before the newest sample', () => {
    const e = new EvaluatedUpTo(
      { [`meeting:${UUID}/old`]: at('x', 0).time, [`meeting:${UUID}/kept`]: at('x', 50).time },
      60 * MIN,
    );
    passed(e, [at('a', 9), at('b', 70, 'other')]);
    e.prune();
    expect([...e.entries()].map(([who]) => who).sort()).toEqual([`meeting:${UUID}/kept`, 'meeting:other/b']);
    expect(e.size).toBe(2);
  });
});
