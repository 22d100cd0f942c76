import { describe, expect, it } from 'vitest';
import { stats } from '../../src/export/collectors/aggregates.js';
import { seeded } from '../helpers/storm.js';

/** What the aggregates must equal: the column sorted, its last value, its nearest-rank p95, its mean. */
function reference(values: number[]): { avg: number; max: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    avg: values.reduce((a, b) => a + b, 0) / values.length,
    max: sorted.at(-1)!,
    p95: sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)]!,
  };
}

describe('aggregate statistics of a column', () => {
  it('give the maximum and nearest-rank p95 of the sorted column, and its mean', () => {
    const random = seeded(16);
    // 1 to 200 values (the p95 is the 1st to 11th largest), and columns too long for the top-k
    // buffer; values with many ties, negative values (Wi-Fi dBm), in every order.
    const lengths = [...Array.from({ length: 200 }, (_, i) => i + 1), 1279, 1280, 1281, 1300, 5000];
    for (const n of lengths)
      for (const kind of ['spread', 'ties', 'ascending', 'descending'] as const) {
        const values = Array.from({ length: n }, (_, i) =>
          kind === 'ties'
            ? Math.floor(random() * 4) / 4
            : kind === 'ascending'
              ? i / 7
              : kind === 'descending'
                ? -i / 7
                : (random() - 0.5) * 1e3,
        );
        const want = reference(values);
        const got = stats(Float64Array.from(values));
        expect(got.max, `${kind} ${n}`).toBe(want.max);
        expect(got.p95, `${kind} ${n}`).toBe(want.p95);
        expect(got.avg, `${kind} ${n}`).toBeCloseTo(want.avg, 9);
      }
  });
});
