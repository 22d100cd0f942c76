/**
 * Orders two strings by their UTF-16 code units, as `Array.prototype.sort` does by default: the
 * same order on every machine. `localeCompare` without a locale follows the machine's locale
 * (its language, and ICU's data), so ids, keys and UUIDs sorted with it came out in another
 * order elsewhere ("a" before "B" in en, after it here). Ids are not words: no locale applies.
 */
export function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
