import type { EscapeKind } from './escape-kinds.js';
import { HTML_REFERENCE, htmlAt } from './html-references.js';

/**
 * A text with its escapes read, and where each of its characters stands in the text, for finding
 * a known value however a server or a library escaped it (util/hide-values.ts): percent-escapes
 * (`%2F`, `%c3%a4`, escape()'s `%u00E4`, any case), JSON's (`\u00e4`, `\/`, `\"`, `\\`, `\n`),
 * the `\x73` of C, Python and JavaScript strings (UTF-8 bytes, as percent-escapes are) and HTML's
 * character references (util/html-references.ts: `&#104;`, `&#x68`, `&amp;`, `&sol;`, `&auml;`),
 * each alone or mixed with characters kept as they are, as encodeURI keeps `/`, `?`, `&` and `=`
 * and escapes a space, and a WHATWG URL keeps more or fewer by the part it is in. One pass.
 * With a `kind` (util/escape-kinds.ts: quoted-printable, octal, `\u{..}`, HTML's legacy names...),
 * an escape of that kind is read too, where one starts, before those: a second reading of the
 * text, which util/hide-values.ts makes only for a text that holds one, beside the first.
 */
export class EscapedText {
  /** The text with each escape read as the character it stands for. */
  readonly read: string;
  /** The pieces of `read`, in order (a run of characters as they are in the text, or one escape's), read when first asked. */
  private pieces: Piece[] | undefined;

  constructor(
    private readonly text: string,
    private readonly kind?: EscapeKind,
  ) {
    let read = '';
    const done = eachEscape(text, kind, (from, to, chars) => {
      read += text.slice(to, from) + chars;
    });
    this.read = read + text.slice(done);
  }

  /**
   * Where `read`'s characters `from`..`to` stand in the text: from the first's start to the next
   * one's (before an escape of no characters between them: a quoted-printable soft line break).
   */
  span(from: number, to: number): [number, number] {
    return [this.at(from), this.at(to, true)];
  }

  /**
   * Where `read`'s character `r` starts in the text (an escape's start for each character it
   * stands for); with `before`, where the escapes of no characters before it start, if any.
   */
  private at(r: number, before = false): number {
    if (r >= this.read.length) return this.text.length;
    const pieces = (this.pieces ??= piecesOf(this.text, this.kind));
    let [lo, hi] = [0, pieces.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pieces[mid]!.read <= r) lo = mid;
      else hi = mid - 1;
    }
    // Pieces at one place of `read`: escapes of no characters, then the one that holds `r`.
    if (before) while (lo > 0 && pieces[lo - 1]!.read === r) lo--;
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
function eachEscape(
  text: string,
  kind: EscapeKind | undefined,
  found: (at: number, after: number, chars: string) => void,
): number {
  if (kind) return eachOfKind(text, kind, found);
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

/**
 * eachEscape with the escapes of `kind` read too: where one of them starts, it is read first;
 * elsewhere, or where none of it stands there, the first reading's escapes as eachEscape reads them.
 */
function eachOfKind(
  text: string,
  kind: EscapeKind,
  found: (at: number, after: number, chars: string) => void,
): number {
  let done = 0;
  const start = kind.starts === '=' ? START_OR_EQUALS : START;
  start.lastIndex = 0;
  while (start.test(text)) {
    const at = start.lastIndex - 1;
    const c = text.charCodeAt(at);
    let escape = c === kind.starts.charCodeAt(0) ? kind.at(text, at) : undefined;
    if (!escape && c !== 61 /* = */) {
      ESCAPE.lastIndex = at;
      if (!ESCAPE.test(text)) continue;
      escape = escapeAt(text, at, ESCAPE.lastIndex);
      if (!escape) {
        start.lastIndex = ESCAPE.lastIndex;
        continue;
      }
    }
    if (!escape) continue;
    found(at, done, escape[0]);
    done = start.lastIndex = escape[1];
  }
  return done;
}

/** The pieces of `text` as EscapedText reads it. */
function piecesOf(text: string, kind: EscapeKind | undefined): Piece[] {
  const pieces: Piece[] = [];
  let read = 0;
  const done = eachEscape(text, kind, (at, after, chars) => {
    if (at > after) pieces.push({ read, text: after, kept: true });
    read += at - after;
    pieces.push({ read, text: at, kept: false });
    read += chars.length;
  });
  if (done < text.length) pieces.push({ read, text: done, kept: true });
  return pieces;
}

/** An escape at a place (sticky): `%2F`, `%u00E4`, `\\n`, `\\u00e4`, `\\x2f`, an HTML character reference. */
const ESCAPE = new RegExp(
  `%(?:[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})|\\\\(?:[u"\\\\/bfnrt]|x[0-9a-fA-F]{2})|${HTML_REFERENCE}`,
  'y',
);
const START = /[%\\&]/g;
const START_OR_EQUALS = /[%\\&=]/g;

/** An HTML character reference's start (`&#`, `&amp;`...): a `&` alone, as a query string has, is none. */
const HTML_START = /&(?:#|[A-Za-z][A-Za-z0-9]{1,31};)/;

/** Whether `text` may hold an escape that EscapedText reads (a `%`, a `\\` or HTML_START: a cheap look before reading it). */
export const mayHoldEscapes = (text: string): boolean =>
  text.includes('%') || text.includes('\\') || (text.includes('&') && HTML_START.test(text));

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

/** The number the `n` hex digits at `from` write, or -1 when they are not `n` hex digits. */
function hexAt(text: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = text.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * The characters the escape at `i` (ESCAPE matched it, ending at `end`) stands for and where it
 * ends, or undefined when none starts there.
 */
function escapeAt(text: string, i: number, end: number): [string, number] | undefined {
  if (text[i] === '&') return htmlAt(text, i, end);
  const u = text[i + 1] === 'u' ? hexAt(text, i + 2, 4) : -1;
  if (u >= 0) return [String.fromCharCode(u), i + 6];
  if (text[i] === '\\' && text[i + 1] !== 'x') {
    const short = JSON_SHORT[text.charAt(i + 1)];
    return short === undefined ? undefined : [short, i + 2];
  }
  return utf8At(text, i, text[i] === '%' ? '%' : '\\x');
}

/** The byte the escape `prefix` + 2 hex digits at `at` writes (`%C3`, `\xc3`), or -1. */
const byteAt = (text: string, at: number, prefix: string): number =>
  text.startsWith(prefix, at) ? hexAt(text, at + prefix.length, 2) : -1;

/**
 * The character a run of escaped UTF-8 bytes from `i` stands for (`%41`, `%C3%A4`,
 * `%F0%9F%98%80`, `\xc3\xa4`: each byte `prefix` and 2 hex digits) and where the run ends, or
 * undefined when the bytes are no UTF-8 character.
 */
function utf8At(text: string, i: number, prefix: string): [string, number] | undefined {
  const size = prefix.length + 2;
  const lead = byteAt(text, i, prefix);
  if (lead < 0) return undefined;
  if (lead < 0x80) return [String.fromCharCode(lead), i + size];
  const more = lead > 0xf4 ? 0 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc2 ? 1 : 0;
  if (more === 0) return undefined;
  let code = lead & (0x3f >> more);
  for (let k = 1; k <= more; k++) {
    const b = byteAt(text, i + size * k, prefix);
    if (b < 0x80 || b > 0xbf) return undefined;
    code = (code << 6) | (b & 0x3f);
  }
  const min = [0, 0x80, 0x800, 0x10000][more]!;
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return [String.fromCodePoint(code), i + size * (more + 1)];
}
