import { describe, expect, it } from 'vitest';
import { average } from '../../src/evaluate/average.js';
import { referenceRound } from '../helpers/reference-round.js';
import { seeded } from '../helpers/storm.js';

/**
 * average() keeps an average to twelve significant digits without building its decimal where
 * scaled doubles are sure to give the same double (about 0.5 us a call saved: `npm run bench`,
 * test/bench/average.bench.ts), with toPrecision elsewhere. Its results must be toPrecision's
 * (the code before) and the exact rounding of the reference (test/helpers/reference-round.ts,
 * BigInt, written apart) on every value: edge cases, and a large seeded random set of Zoom-like
 * averages, raw doubles of every magnitude, near-ties and near powers of ten.
 */
const old = (v: number): number => Number(v.toPrecision(12));
/** average() of `v` itself: the average of 2v over two (2v is exact wherever it is finite). */
const rounded = (v: number): number => average(2 * v, 2);

const EDGES = [
  0,
  -0,
  1,
  -1,
  0.1,
  0.3,
  10,
  100,
  1e-3,
  0.1 + 0.2,
  (0.2 + 0.4) / 2,
  1 / 3,
  2 / 3,
  -70.33333333333333,
  100000000000.5,
  100000000002.5,
  -100000000000.5,
  999999999999.5,
  99999999999.95,
  9.999999999995,
  9.9999999999949,
  0.99999999999951,
  1.0000000000005,
  2 ** 52 + 1,
  2 ** 53,
  1e21,
  1e22,
  1e23,
  1e-11,
  1e-12,
  1e300,
  -1e300,
  1e-300,
  5e-324,
  2.2250738585072014e-308,
  Number.MAX_VALUE / 2,
  Number.MIN_VALUE * 3,
  0.15,
  0.25,
  0.35,
  1.005,
  541075,
  666666.6666666666,
  0.0015,
];

/** Values of a kind the engine averages, and of every kind a double can be. */
function randomValues(count: number, seed: number): number[] {
  const r = seeded(seed);
  const view = new DataView(new ArrayBuffer(8));
  const out: number[] = [];
  const zoomLike = (): number => {
    // Zoom's figures: up to five significant digits, in a base unit from 1e-6 to 1e9.
    const digits = Math.floor(r() * 99999) + 1;
    return digits * 10 ** (Math.floor(r() * 16) - 10);
  };
  for (let i = 0; out.length < count; i++) {
    switch (i % 5) {
      case 0: {
        const n = 2 + Math.floor(r() * 5);
        let sum = 0;
        for (let j = 0; j < n; j++) sum += zoomLike();
        out.push(sum / n);
        break;
      }
      case 1: {
        view.setUint32(0, Math.floor(r() * 2 ** 32));
        view.setUint32(4, Math.floor(r() * 2 ** 32));
        const v = view.getFloat64(0);
        if (Number.isFinite(v) && Number.isFinite(2 * v)) out.push(v);
        break;
      }
      case 2: {
        // Near a tie: twelve digits and a half, a few ulps either way.
        const v = (Math.floor(r() * 9e11) + 1e11 + 0.5) * 10 ** (Math.floor(r() * 30) - 20);
        out.push(v + (Math.floor(r() * 9) - 4) * Number.EPSILON * v);
        break;
      }
      case 3: {
        // Near a power of ten, or just under one by a unit of the 12th or 13th digit.
        const p = 10 ** (Math.floor(r() * 40) - 20);
        const v = r() < 0.5 ? p : p * (1 - 10 ** -(12 + Math.floor(r() * 2)) * (0.5 + r()));
        out.push(v + (Math.floor(r() * 9) - 4) * Number.EPSILON * v);
        break;
      }
      default:
        out.push(-zoomLike() / 3);
    }
  }
  return out;
}

describe('average(): twelve significant digits without building a decimal', () => {
  it('the reference rounds as the rule says (exact ties away from zero; powers of ten)', () => {
    expect(referenceRound(100000000000.5)).toBe(100000000001);
    expect(referenceRound(-100000000000.5)).toBe(-100000000001);
    expect(referenceRound(999999999999.5)).toBe(1e12);
    expect(referenceRound((0.2 + 0.4) / 2)).toBe(0.3);
    expect(referenceRound(1 / 3)).toBe(0.333333333333);
    expect(referenceRound(5e-324)).toBe(5e-324);
  });

  it('equals toPrecision (the code before) and the reference on the edge cases', () => {
    for (const v of EDGES) {
      expect(rounded(v), String(v)).toBe(old(v));
      expect(rounded(v), String(v)).toBe(referenceRound(v));
    }
  });

  it('equals toPrecision on 1,000,000 seeded random values, and the reference on 50,000 of them', () => {
    const values = randomValues(1_000_000, 45);
    const differ = values.filter((v) => !Object.is(rounded(v), old(v)));
    expect(differ.slice(0, 5)).toEqual([]);
    const checked = values.filter((_, i) => i % 20 === 0);
    const wrong = checked.filter((v) => !Object.is(rounded(v), referenceRound(v)));
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
