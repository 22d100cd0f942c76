import { replaceSpans } from './replace-spans.js';

/**
 * A secret inside a base64 text that holds more than it: an HTTP Basic credential is the base64
 * of `user:secret`, so the secret's bytes start at any of the three places in a group of three
 * bytes that base64 writes as four characters, and its own base64 (secretForms) is not in it.
 * For each of the three alignments, the characters that only the secret's bytes write are the
 * same whatever stands before and after it: those are looked for, and hidden with the group of
 * four on each side that holds a part of its bytes too (with the `=` padding after it).
 */

/** The shortest form looked for: two groups (6 bytes of the secret); a shorter one could be a word. */
const MIN_FORM = 8;

/**
 * The forms of the secret `value` inside a longer base64 text, in both alphabets (base64 and
 * base64url): for each alignment, its whole groups of three bytes; or, when those are under
 * MIN_FORM characters, the base64 of its bytes from there to its end with their padding (the
 * secret at the end of `user:secret`).
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  // A shorter secret is hidden by its own forms only (util/log-secrets.ts MIN_LOG_SECRET).
  if (bytes.length < 6) return [];
  const forms = new Set<string>();
  for (let skip = 0; skip < 3 && bytes.length - skip >= 4; skip++) {
    const rest = bytes.subarray(skip);
    const whole = rest.subarray(0, rest.length - (rest.length % 3)).toString('base64');
    const form = whole.length >= MIN_FORM ? whole : rest.toString('base64');
    if (form.length < MIN_FORM) continue;
    forms.add(form);
    forms.add(form.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...forms];
}

const isBase64Char = (c: number): boolean =>
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  (c >= 48 && c <= 57) ||
  c === 43 ||
  c === 47 ||
  c === 45 ||
  c === 95;

/** `at` moved back over at most 4 base64 characters of `text`: the group before a form. */
function groupBefore(text: string, at: number): number {
  let i = at;
  while (i > at - 4 && i > 0 && isBase64Char(text.charCodeAt(i - 1))) i--;
  return i;
}

/** `at` moved on over at most 4 base64 characters of `text`, then its `=` padding (2 at most). */
function groupAfter(text: string, at: number): number {
  let i = at;
  while (i < at + 4 && i < text.length && isBase64Char(text.charCodeAt(i))) i++;
  for (let pad = 0; pad < 2 && text[i] === '='; pad++) i++;
  return i;
}

/**
 * One search for every form of `forms` (base64Forms of every value): their alternation, longest
 * first, which the regular expression engine looks for in one pass (a search per form cost more
 * than the rest of a log line's hiding); undefined when there is none.
 */
export function base64Search(forms: readonly string[]): RegExp | undefined {
  if (!forms.length) return undefined;
  const longestFirst = [...new Set(forms)].sort((a, b) => b.length - a.length);
  return new RegExp(longestFirst.map((f) => f.replace(/[+/]/g, '\\$&')).join('|'), 'g');
}

/**
 * `text` with each form that `search` finds (base64Search) hidden as `shown` with the group of
 * four base64 characters on each side of it.
 */
export function hideInBase64(text: string, search: RegExp | undefined, shown: string): string {
  if (!search) return text;
  const spans: [number, number][] = [];
  search.lastIndex = 0;
  for (let m = search.exec(text); m; m = search.exec(text))
    spans.push([groupBefore(text, m.index), groupAfter(text, m.index + m[0].length)]);
  return spans.length ? replaceSpans(text, spans, shown) : text;
}
