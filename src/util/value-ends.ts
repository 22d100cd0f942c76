import { isLineEnd, mayClose } from './line-quotes.js';

/**
 * Where a secret's value ends, by how it is written (util/redact-pairs.ts finds where it starts
 * and whether to hide it): a quoted one at its closing quote, an unquoted one after `key=` at a
 * query string's next pair or before the next ` key=`, one after a bare `key:` at the line's end
 * or its bracket's closer, one quoted as JSON inside a JSON string at its closing `\"`. Each is
 * one pass over the value, never walking back.
 */

/** White space within a line: a space, a tab, a no-break space (U+00A0) or another Unicode space. */
export const isBlank = (c: string | undefined): boolean => c !== undefined && /\s/.test(c) && !isLineEnd(c);

/**
 * Whether the `&` at `at` starts a query string's next pair (`&x=1`, `&a[]=2`): a `&` in a
 * secret (`Tr0ub4dor&3`) does not end it. Looks over one key at most (a `&` ends the look).
 */
export function pairAfter(text: string, at: number): boolean {
  let i = at + 1;
  while (i < text.length && /[\w.[\]-]/.test(text[i]!)) i++;
  return i > at + 1 && text[i] === '=';
}

/**
 * Where an unquoted value starting at `from` ends: at the line's end, a `&` before a query
 * string's next `key=`, white space before the next `key=`, or `limit`. One pass: each white-space run is
 * looked past once (a regex `\s+[\w.-]+=` tried at every blank of a long run was quadratic: 9 s
 * for a value followed by 100,000 spaces).
 */
function unquotedEnd(text: string, from: number, limit: number): number {
  let i = from;
  while (i < limit) {
    const c = text[i]!;
    if (c === '\r' || c === '\n' || (c === '&' && pairAfter(text, i))) return i;
    if (!/\s/.test(c)) {
      i++;
      continue;
    }
    let j = i;
    let newline = -1;
    while (j < limit && /\s/.test(text[j]!)) {
      if (newline < 0 && (text[j] === '\n' || text[j] === '\r')) newline = j;
      j++;
    }
    let k = j;
    while (k < limit && /[\w.-]/.test(text[k]!)) k++;
    if (k > j && text[k] === '=') return i;
    if (newline >= 0) return newline;
    i = k;
  }
  return limit;
}

/**
 * How far an unquoted value goes: after `key=`, to the line's end, a `&` or the next ` key=`
 * (unquotedEnd: a `password=pa ss` is hidden whole); after a bare `key:` (`password: my secret
 * phrase`, `authorization: Bearer xyz`), to the line's end, or to the closing bracket or quote
 * of one opened before the key (`{ token: abc def }`): a secret may hold spaces, and a leaked
 * secret is worse than an over-redacted message. After a key quoted as JSON inside a JSON string
 * (`{\"token\":`), a `\"…\"` value to its closing `\"` (escapedEnd), any other as after `key=`.
 */
type Extent = 'pair' | 'line' | 'escaped';

/**
 * Where a bare `key:`'s value from `from` ends: the line's end or `limit`, or before the line's
 * last `closer` that may close its bracket (mayClose: not one inside the secret, `{ token: a}b`).
 */
function lineEnd(text: string, from: number, closer: string | undefined, limit: number): number {
  let i = from;
  let last = -1;
  for (; i < limit && !isLineEnd(text[i]); i++)
    if (text[i] === closer && (i + 1 === limit || mayClose(text, i))) last = i;
  if (last < 0) return i;
  while (last > from && isBlank(text[last - 1])) last--;
  return last;
}

/**
 * Where the value starting at `from` ends: a quoted one at its closing quote (a backslash escapes
 * one; one that a letter follows is inside it: `password="SE"KRIT"` is hidden whole, util/line-quotes.ts
 * mayClose), or at the line's end when none closes it, else as `extent` says; at `limit` at the latest (the end of a URL the value is in,
 * util/url-ends.ts: `found "http://h/am?apikey=abc", which has a query` and
 * `pushing to http://h/qss?token=abc every 60s` hide `abc` and no more).
 */
export function valueEnd(
  text: string,
  from: number,
  extent: Extent,
  closer: string | undefined,
  limit: number,
): number {
  const quote = text[from];
  if (extent === 'escaped' && quote === '\\' && text[from + 1] === '"')
    return escapedEnd(text, from + 2, limit);
  if (quote === '"' || quote === "'" || quote === '`') {
    for (let i = from + 1; i < limit; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === quote && (i + 1 === limit || mayClose(text, i))) return i + 1;
      else if (isLineEnd(text[i])) return i;
    }
    return limit;
  }
  return unquotedValueEnd(text, from, extent === 'line', closer, limit);
}

/** Where a value from `from` ends read as unquoted: a bare `key:`'s (`line`) or a `key=`'s; at `limit` at the latest. */
export const unquotedValueEnd = (
  text: string,
  from: number,
  line: boolean,
  closer: string | undefined,
  limit: number,
): number => (line ? lineEnd(text, from, closer, limit) : unquotedEnd(text, from, limit));

/**
 * Where a value quoted as JSON inside a JSON string (`\"x\"`, its text starting at `from`) ends:
 * after the `\"` that closes it as the inner JSON reads it (`\\\"` is an escaped quote inside
 * it: `\"SE\\\"KRIT\"` holds `SE"KRIT`; one that a letter follows is inside it too, as is a
 * bare `"`), at the line's end or at `limit`.
 */
function escapedEnd(text: string, from: number, limit: number): number {
  let escaped = false;
  for (let i = from; i < limit; i++) {
    if (isLineEnd(text[i])) return i;
    // One character of the inner JSON: `\\` is a backslash, `\"` a quote; a bare `"` is none.
    const pair = text[i] === '\\';
    const c = pair ? text[++i] : text[i];
    if (escaped) escaped = false;
    else if (pair && c === '\\') escaped = true;
    // Its end: a `\"` that a JSON string's last quote may be (`\",`, `\"}`, `\"\n`…).
    else if (pair && c === '"' && (mayClose(text, i) || text[i + 1] === '\\')) return Math.min(i + 1, limit);
  }
  return limit;
}
