/**
 * A decimal as written (`"471"`, `"12.5"`, `"-0.3"`, `"1.5e3"`: a JavaScript number's text)
 * times 10 to the power `shift`, rounded once: the double nearest the scaled decimal. Read
 * first and scaled after, `471 * 1e-3` is 0.47100000000000003 and `1.1 / 100` 0.011000000000000001
 * (two roundings); `Number("471e-3")` is 0.471. NaN when `text` is not a number.
 */
export function scaledDecimal(text: string, shift: number): number {
  if (shift === 0) return Number(text);
  const e = text.search(/e/i);
  if (e < 0) return Number(`${text}e${shift}`);
  const exponent = Number(text.slice(e + 1));
  return Number(`${text.slice(0, e)}e${exponent + shift}`);
}
