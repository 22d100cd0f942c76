/**
 * The significant digits an average over a sample's streams (`aggregate: avg`) is kept to.
 * Zoom writes its figures with five significant digits at most (`126 ms`, `12.54%`, `27.15
 * kbps`, `1.055 Mbps`), so twelve are seven beyond any input's: the average of values as Zoom
 * wrote them is exact to the last of them (`0.3`), and what the sum of binary fractions adds past
 * them (`0.30000000000000004`, for 200 and 400 ms) is gone.
 */
const AVERAGE_DIGITS = 12;

/**
 * `sum / n` to AVERAGE_DIGITS significant digits, rounded as its decimal is (toPrecision: the
 * double's exact value, not a product of it that rounds again); the average of one value is that
 * value. The rule engine compares this value with the thresholds, shows and stores it: one
 * value, so a value never shows on one side of its threshold and breaches on the other. It can
 * fall on another side than `sum / n` only when the inputs' true average is the threshold itself
 * (within 10^-12 of it, far below a decimal Zoom writes): the noise put it past the threshold,
 * the rounding puts it back on it (not past it: `above` and `below` are strict).
 */
export function average(sum: number, n: number): number {
  if (n === 1) return sum;
  const v = sum / n;
  return Number.isFinite(v) ? Number(v.toPrecision(AVERAGE_DIGITS)) : v;
}
