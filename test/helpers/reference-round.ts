/**
 * `x` to `digits` significant digits, rounded from the double's exact value (as a BigInt
 * fraction), ties to the larger magnitude, as ECMAScript's toPrecision says and docs/rules.md's
 * `aggregate: avg` promises; then the double nearest that decimal. Written apart from
 * src/evaluate/average.ts (which uses toPrecision or scaled doubles), so the reference engine
 * and average-rounding.test.ts check its rounding instead of repeating it. Slow (BigInt).
 */
export function referenceRound(x: number, digits = 12): number {
  if (!Number.isFinite(x) || x === 0) return x === 0 ? 0 : x;
  const { num, den } = exactFraction(Math.abs(x));
  // d: 10^d <= |x| < 10^(d + 1), found exactly from log10's guess.
  let d = Math.floor(Math.log10(Math.abs(x)));
  while (compareToPow10(num, den, d) < 0) d--;
  while (compareToPow10(num, den, d + 1) >= 0) d++;
  // |x| * 10^(digits - 1 - d), rounded half up: the `digits` digits.
  const shift = digits - 1 - d;
  const n = shift >= 0 ? num * 10n ** BigInt(shift) : num;
  const m = shift >= 0 ? den : den * 10n ** BigInt(-shift);
  let q = (2n * n + m) / (2n * m);
  let exp = d - (digits - 1);
  if (q === 10n ** BigInt(digits)) {
    q /= 10n;
    exp++;
  }
  return Number(`${x < 0 ? '-' : ''}${q}e${exp}`);
}

/** |x| as num / den exactly, from its IEEE 754 bits. */
function exactFraction(x: number): { num: bigint; den: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = (biased === 0 ? 1 : biased) - 1075;
  return exp >= 0 ? { num: mantissa << BigInt(exp), den: 1n } : { num: mantissa, den: 1n << BigInt(-exp) };
}

/** Sign of num/den - 10^d. */
function compareToPow10(num: bigint, den: bigint, d: number): number {
  const l = d >= 0 ? num : num * 10n ** BigInt(-d);
  const r = d >= 0 ? den * 10n ** BigInt(d) : den;
  return l < r ? -1 : l > r ? 1 : 0;
}
