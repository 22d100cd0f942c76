/**
 * Whether JSON text nests arrays and objects more than `limit` levels deep, found by one pass
 * over the text (brackets inside strings do not count). JSON.parse keeps a frame per level: a
 * damaged file of 200 MB of `[` made it take gigabytes before failing, where this pass answers
 * in well under a second. No state file of qoswatch nests more than ten levels.
 */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Whether a parsed JSON value nests arrays and objects more than `limit` levels deep; it looks
 * no deeper than `limit + 1` levels, so a hostile value costs at most its size.
 */
export function valueDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit <= 0) return true;
  for (const v of Array.isArray(value) ? value : Object.values(value))
    if (valueDeeperThan(v, limit - 1)) return true;
  return false;
}
