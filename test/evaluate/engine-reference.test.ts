import { describe, expect, it } from 'vitest';
import { compareCase, describeMismatch, noneExercised, shrinkCase } from '../helpers/engine-comparison.js';
import { randomCase } from '../helpers/random-engine-case.js';

/**
 * The columnar rule engine against a straightforward reference evaluator written from
 * docs/rules.md (test/helpers/reference-engine.ts), on random rules and samples from fixed
 * seeds. QW_REFERENCE_SEED and QW_REFERENCE_CASES run other seeds (a failure prints its seed,
 * the case shrunk to what the mismatch needs, and what only each side said).
 */
const SEED = Number(process.env.QW_REFERENCE_SEED ?? 20261202);
const CASES = Number(process.env.QW_REFERENCE_CASES ?? 20);
/**
 * More cases than the default get 5 s each (200 took 81-95 s at load 18, past the configured
 * 60 s); the default's 20 keep the configured timeout.
 */
const TIMEOUT = CASES > 20 ? CASES * 5_000 : undefined;
/**
 * Seeds every run compares after its own, each for what the default 20 do not reach (found by
 * the 300-case runs; each takes well under a second):
 * 4258: a meeting ends while a shared cause's group value reads as its key (keyEnded, c6a2682).
 */
const FORCED = [4258];

describe('the rule engine against a straightforward reference evaluator', () => {
  it(
    'makes the same alert changes, with the same explanations, and holds the same active alerts (fixed seed)',
    () => {
      const total = noneExercised();
      const seeds = [...Array.from({ length: CASES }, (_, c) => SEED + c), ...FORCED];
      for (const seed of seeds) {
        const kase = randomCase(seed);
        const { mismatch, exercised } = compareCase(kase);
        if (mismatch) {
          const small = shrinkCase(kase, mismatch);
          const m = compareCase(small).mismatch ?? mismatch;
          expect.fail(
            `seed ${seed} (QW_REFERENCE_SEED=${seed} QW_REFERENCE_CASES=1), shrunk:\n${describeMismatch(small, m)}`,
          );
        }
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += exercised[k];
      }
      if (CASES < 20) return;
      // The cases must exercise the engine: many events and changes, explanations made and
      // looked at again, readings exactly on thresholds.
      expect(total.events).toBeGreaterThan(400);
      expect(total.changes).toBeGreaterThan(200);
      expect(total.explained).toBeGreaterThan(100);
      expect(total.relinked).toBeGreaterThan(10);
      expect(total.onThreshold).toBeGreaterThan(1000);
      // Meeting and shared-cause alerts that did not recover: breaching members left, or moved out.
      expect(total.groupLeft).toBeGreaterThan(20);
      expect(total.groupMoved).toBeGreaterThan(0);
      // Firing shared causes whose group_by a reload changed: resolved at the reload, as the engine does.
      expect(total.regrouped).toBeGreaterThan(0);
      // A meeting's end that keeps a shared cause's alert whose group value reads as its key.
      expect(total.keyEnded).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});
