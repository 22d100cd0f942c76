/**
 * The significant digits an average over a sample's streams (`aggregate: avg`) is kept to.
 * Zoom writes its figures with five significant digits at most (`126 ms`, `12.54%`, `27.15
 * kbps`, `1.055 Mbps`), so twelve are seven beyond any input's: the average of values as Zoom
 * wrote them is exact to the last of them (`0.3`), and what the sum of binary fractions adds past
 * them (`0.30000000000000004`, for 200 and 400 ms) is gone.
 */
const AVERAGE_DIGITS = 12;

/** 10^0 .. 10^22: every one exact as a double (5^22 < 2^53). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

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
  if (!Number.isFinite(v)) return v;
  return roundedFast(v) ?? Number(v.toPrecision(AVERAGE_DIGITS));
}

/**
 * `v` to AVERAGE_DIGITS significant digits without building its decimal (toPrecision and its
 * parse took about 0.5 us an average), or undefined where that cannot be sure to give the same
 * double (then toPrecision does). |v| times 10^k, k chosen by v's magnitude to put the twelfth
 * digit at the units, is one correctly rounded operation with an exact power of ten (|k| <= 22):
 * within half a unit in the last place (under 2^-12, the product being under 2^40) of the exact
 * value. Rounding it gives the exact value's rounding unless it lies within 10^-3 of a half, and
 * its digits are twelve unless it lies within 1 of 10^11 or 10^12 (log10 may miss a power of ten
 * by one): those are left to toPrecision. The twelve digits back over 10^k is again one correctly
 * rounded operation of two exact doubles: the double nearest the decimal, as parsing it gives.
 * Ties away from zero, as toPrecision's larger n for |v|. Proven equal on random and edge values
 * (test/evaluate/average-rounding.test.ts).
 */
function roundedFast(v: number): number | undefined {
  const a = Math.abs(v);
  if (a === 0) return 0;
  const k = AVERAGE_DIGITS - 1 - Math.floor(Math.log10(a));
  if (k > 22 || k < -22) return undefined;
  const p = k >= 0 ? a * POW10[k]! : a / POW10[-k]!;
  if (p < 1e11 + 1 || p >= 1e12 - 1) return undefined;
  const whole = Math.floor(p);
  if (Math.abs(p - whole - 0.5) < 1e-3) return undefined;
  const digits = p - whole > 0.5 ? whole + 1 : whole;
  const r = k >= 0 ? digits / POW10[k]! : digits * POW10[-k]!;
  return v < 0 ? -r : r;
}
