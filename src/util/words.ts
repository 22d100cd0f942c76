/** English for counts and durations, shared by messages and logs so that "1 participants" never appears. */

/** "1 participant", "7 participants"; `many` when the plural is not the word plus s. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * `n` of `total` participants, as people say it: "2 of 7 participants", "all 7 participants",
 * "both participants", "the only participant", "none of the 7 participants", "0 of 1 participant".
 */
export function shareOf(n: number, total: number, one = 'participant', many = `${one}s`): string {
  if (total <= 0) return `no ${many}`;
  if (n >= total)
    return total === 1 ? `the only ${one}` : total === 2 ? `both ${many}` : `all ${total} ${many}`;
  if (n === 0) return total === 1 ? `0 of 1 ${one}` : `none of the ${total} ${many}`;
  return `${n} of ${total} ${many}`;
}

/** "7 min", "45 s", "1 h 5 min", "2 d 3 h": rounded the way people read a page. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/**
 * The possessive of a name: "Bob Okafor's", "James'"; a trailing parenthesis stays after it:
 * "Bob Okafor's (iPhone)", "Guest 16781312's (Windows, Wi-Fi)".
 */
export function possessive(name: string): string {
  const m = /^(.*\S) (\([^()]*\))$/.exec(name);
  if (m) return `${possessive(m[1]!)} ${m[2]!}`;
  return /s$/i.test(name) ? `${name}'` : `${name}'s`;
}

/** Words joined once each (case aside), the first spelling kept: "Windows Windows 10" reads "Windows 10". */
export function uniqueWords(parts: (string | undefined)[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of parts.filter(Boolean).join(' ').split(/\s+/)) {
    if (!w || seen.has(w.toLowerCase())) continue;
    seen.add(w.toLowerCase());
    out.push(w);
  }
  return out.join(' ');
}

/** The text with its first letter in upper case: a sentence that starts with a name or a place. */
export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The first `few` of `items`, and "and N more" for the rest: a log field that names ids stays
 * short whatever their count.
 */
export function firstFew(items: readonly string[], few = 5): string[] {
  return items.length <= few ? [...items] : [...items.slice(0, few), `and ${items.length - few} more`];
}
