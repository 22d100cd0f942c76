/**
 * The significant digits an average over a sample's streams (`aggregate: avg`) is kept to.
 * Zoom writes its figures with five significant digits at most (`126 ms`, `12.54%`, `27.15
 * kbps`, `1.055 Mbps`), so twelve are seven beyond any input's: the average of values as Zoom
 * wrote them is exact to the last of them (`0.3`), and what the sum of binary fractions adds past
 * them (`0.30000000000000004`, for 100, 200 and 600 ms) is gone.
 */
export const AVERAGE_DIGITS = 12;

/** 10^0 .. 10^22: the powers of ten a double holds exactly. */
const POWERS = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * `sum / n` to AVERAGE_DIGITS significant digits: the double nearest that decimal, the one
 * it prints as. The rule engine compares this value with the thresholds, shows and stores it:
 * one value, so a value never shows on one side of its threshold and breaches on the other.
 * It can fall on another side than `sum / n` only when the inputs' true average is the threshold
 * itself (within 10^-12 of it, far below a decimal Zoom writes): the noise put it past the
 * threshold, the rounding puts it back on it (not past it: `above` and `below` are strict).
 */
export function average(sum: number, n: number): number {
  const v = sum / n;
  if (v === 0 || !Number.isFinite(v)) return v;
  const k = AVERAGE_DIGITS - 1 - Math.floor(Math.log10(Math.abs(v)));
  if (k > 22 || k < -22) return v;
  return k >= 0 ? Math.round(v * POWERS[k]!) / POWERS[k]! : Math.round(v / POWERS[-k]!) * POWERS[-k]!;
}
