import { BACKSLASH_X, digitsAt, OCTAL, PERCENT, QUOTED_PRINTABLE, utf8At } from './escaped-bytes.js';
import { HTML_REFERENCE, htmlAt } from './html-references.js';

/**
 * A text with its escapes read, and where each of its characters stands in the text, for finding
 * a known value however a server or a library escaped it (util/hide-values.ts): percent-escapes
 * (`%2F`, `%c3%a4`, escape()'s `%u00E4`, any case), JSON's (`\u00e4`, `\/`, `\"`, `\\`, `\n`),
 * the `\u{e4}` of JavaScript, Rust and Swift and Python's `\U0001F600`, the `\x73` of C, Python
 * and JavaScript strings and C's octal `\163` (UTF-8 bytes, as percent-escapes are:
 * util/escaped-bytes.ts), quoted-printable's `=2F` and its soft line breaks, and HTML's character
 * references (util/html-references.ts: `&#104;`, `&#x68`, `&amp;`, `&amp`, `&sol;`, `&auml;`,
 * `&euro;`), each alone or mixed with characters kept as they are, as encodeURI keeps `/`, `?`,
 * `&` and `=` and escapes a space, and a WHATWG URL keeps more or fewer by the part it is in. One pass.
 */
export class EscapedText {
  /** The text with each escape read as the character it stands for. */
  readonly read: string;
  /** The pieces of `read`, in order (a run of characters as they are in the text, or one escape's), read when first asked. */
  private pieces: Piece[] | undefined;

  constructor(private readonly text: string) {
    let read = '';
    const done = eachEscape(text, (from, to, chars) => {
      read += text.slice(to, from) + chars;
    });
    this.read = read + text.slice(done);
  }

  /** Where `read`'s characters `from`..`to` stand in the text: from the first's start to the next one's. */
  span(from: number, to: number): [number, number] {
    return [this.at(from), this.at(to)];
  }

  /** Where `read`'s character `r` starts in the text (an escape's start for each character it stands for). */
  private at(r: number): number {
    if (r >= this.read.length) return this.text.length;
    const pieces = (this.pieces ??= piecesOf(this.text));
    let [lo, hi] = [0, pieces.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pieces[mid]!.read <= r) lo = mid;
      else hi = mid - 1;
    }
    const p = pieces[lo]!;
    return p.kept ? p.text + r - p.read : p.text;
  }
}

/** A piece of an EscapedText's `read`: where it starts there and in the text, and whether it is as it is there. */
interface Piece {
  read: number;
  text: number;
  kept: boolean;
}

/**
 * Calls `found` with each escape of `text` in order: where it starts, where the text before it
 * starts (the previous one's end) and the characters it stands for; gives the last one's end.
 */
function eachEscape(text: string, found: (at: number, after: number, chars: string) => void): number {
  let done = 0;
  // Where an escape may start, then whether one does, each by test(), which makes no array: a
  // search with exec() made one for each escape, and a line of them spent its time collecting those.
  START.lastIndex = 0;
  while (START.test(text)) {
    const at = START.lastIndex - 1;
    ESCAPE.lastIndex = at;
    if (!ESCAPE.test(text)) continue;
    const escape = escapeAt(text, at, ESCAPE.lastIndex);
    if (!escape) {
      START.lastIndex = ESCAPE.lastIndex;
      continue;
    }
    found(at, done, escape[0]);
    done = START.lastIndex = escape[1];
  }
  return done;
}

/** The pieces of `text` as EscapedText reads it. */
function piecesOf(text: string): Piece[] {
  const pieces: Piece[] = [];
  let read = 0;
  const done = eachEscape(text, (at, after, chars) => {
    if (at > after) pieces.push({ read, text: after, kept: true });
    read += at - after;
    pieces.push({ read, text: at, kept: false });
    read += chars.length;
  });
  if (done < text.length) pieces.push({ read, text: done, kept: true });
  return pieces;
}

/**
 * An escape at a place (sticky): `%2F`, `%u00E4`, `\\n`, `\\u00e4`, `\\u{1F600}`, `\\U0001F600`,
 * `\\x2f`, `\\057`, `=2F` and quoted-printable's soft line break (`=` before a line's end), an HTML
 * character reference. Only a reference's end is taken from it: escapeAt reads the others.
 */
const ESCAPE = new RegExp(
  `%(?:[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})|\\\\(?:[uU"\\\\/bfnrt]|x[0-9a-fA-F]{2}|[0-3][0-7]{2})|=(?:[0-9a-fA-F]{2}|\\r?\\n)|${HTML_REFERENCE}`,
  'y',
);
const START = /[%\\&=]/g;

/** A place where EscapedText may read an escape: a `%`, a `\\`, `=` and two hex digits or a line's end, an HTML reference's start (`&#`, `&amp`...). */
const MAY_ESCAPE = /[%\\]|=(?:[0-9a-fA-F]{2}|\r?\n)|&(?:#|[A-Za-z]{2})/;

/** Whether `text` may hold an escape that EscapedText reads (a cheap look before reading it). */
export const mayHoldEscapes = (text: string): boolean => MAY_ESCAPE.test(text);

const JSON_SHORT: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * The characters the escape at `i` (ESCAPE matched it, ending at `end`) stands for and where it
 * ends, or undefined when none starts there. A soft line break stands for none.
 */
function escapeAt(text: string, i: number, end: number): [string, number] | undefined {
  const c = text[i];
  if (c === '&') return htmlAt(text, i, end);
  const next = text[i + 1];
  if (c === '=') return next === '\r' || next === '\n' ? ['', end] : utf8At(text, i, QUOTED_PRINTABLE);
  if (next === 'u') {
    if (c === '\\' && text[i + 2] === '{') return bracedAt(text, i);
    const u = digitsAt(text, i + 2, 4);
    if (u >= 0) return [String.fromCharCode(u), i + 6];
  }
  if (c === '%') return utf8At(text, i, PERCENT);
  if (next === 'x') return utf8At(text, i, BACKSLASH_X);
  if (next === 'U') return codePoint(digitsAt(text, i + 2, 8), i + 10);
  if (next !== undefined && next >= '0' && next <= '3') return utf8At(text, i, OCTAL);
  const short = JSON_SHORT[next ?? ''];
  return short === undefined ? undefined : [short, i + 2];
}

/** The escape `\\u{...}` at `i` (JavaScript's, Rust's, Swift's: 1 to 6 hex digits), or undefined. */
function bracedAt(text: string, i: number): [string, number] | undefined {
  // The brace is looked for within the 6 digits' reach only: a search to the end of the text
  // made a line of many `\u{` without one quadratic (hT44b R1: 200,000 of them took 1.7 s).
  const close = text.slice(i + 4, i + 10).indexOf('}') + i + 4;
  if (close < i + 4) return undefined;
  return codePoint(digitsAt(text, i + 3, close - i - 3), close + 1);
}

/** The character of the code point `code` (a half of a surrogate pair alone too) ending at `end`, or undefined past U+10FFFF. */
const codePoint = (code: number, end: number): [string, number] | undefined =>
  code < 0 || code > 0x10ffff
    ? undefined
    : [code <= 0xffff ? String.fromCharCode(code) : String.fromCodePoint(code), end];
