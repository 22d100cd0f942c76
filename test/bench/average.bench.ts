import { bench, describe } from 'vitest';
import { average } from '../../src/evaluate/average.js';
import { note } from './ratio.js';

/**
 * average() of two or more streams (`aggregate: avg`): twelve significant digits by scaled
 * doubles where they are sure to give toPrecision's double, toPrecision elsewhere (before: its
 * decimal built and parsed each time, about 0.5 us; note44). Zoom-like averages: two to six
 * streams of figures with up to five significant digits in base units (s, ratio, bps).
 */
const before = (sum: number, n: number): number => {
  if (n === 1) return sum;
  const v = sum / n;
  return Number.isFinite(v) ? Number(v.toPrecision(12)) : v;
};

let seed = 44;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const CASES = Array.from({ length: 10_000 }, () => {
  const n = 2 + Math.floor(rand() * 5);
  const unit = [1e-3, 1e-2, 1e-4, 1e3, 1e6][Math.floor(rand() * 5)]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.floor(rand() * 99999 + 1) * unit;
  return [sum, n] as const;
});

let sink = 0;
const all = (f: (sum: number, n: number) => number) => () => {
  for (const [sum, n] of CASES) sink += f(sum, n);
};

describe('average() of 10,000 Zoom-like averages', () => {
  bench('toPrecision each time (before)', all(before));
  bench('scaled doubles, toPrecision where unsure (now)', all(average));
  bench(
    'the same results',
    () => {
      const differ = CASES.filter(([s, n]) => !Object.is(average(s, n), before(s, n))).length;
      note('averages differing from toPrecision (of 10,000)', String(differ));
      if (sink === 0.5) console.log(sink);
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
