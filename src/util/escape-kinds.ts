import { digit, mayHoldWideHtml, wideHtmlAt } from './html-wide.js';

/**
 * The kinds of escape a text's second readings read (util/hide-values.ts), beside those of its
 * first reading (util/escaped-text.ts, stop 43's, read exactly as before): each kind a reader of
 * the escape at a place. A text is read with one of these kinds at a time, and only when it holds
 * one (`present`): read together with the first reading's, a text that only looks like one of them
 * (`pw=4f$ecret`, `pa ss\101word`, `pa ss&copyw9x`) lost a secret the first reading found (rA44).
 *
 * - QUOTED_PRINTABLE: `=2F`, `=C3=A4` (UTF-8 bytes, either case) and soft line breaks (`=` at a
 *   line's end, white space allowed between them, RFC 2045): a mail server echoing a password.
 * - BACKSLASH: C's octal bytes of 1 to 3 digits (`\101`, `\60`, `\303\244`: C, git's quoted paths,
 *   PostgreSQL's bytea), `\X41` bytes, `\u{1F600}` (JavaScript, Rust, Swift) and `\U0001F600` (Python, C).
 * - ECHO_OCTAL: `\0` and 3 octal digits as one byte (`\0124`: echo -e, printf %b), which C reads as
 *   `\012` then `4`: a reading of its own, as the two disagree; BACKSLASH's escapes elsewhere.
 * - HTML: util/html-wide.ts (names beyond Latin-1, legacy names without `;`, surrogate halves).
 */
export interface EscapeKind {
  readonly name: string;
  /** The characters an escape of this kind starts with. */
  readonly starts: string;
  /** Whether `text` may hold one (a cheap look before reading it). */
  present(text: string): boolean;
  /** The characters the escape at `i` stands for and where it ends, or undefined. */
  at(text: string, i: number): [string, number] | undefined;
}

export const QUOTED_PRINTABLE: EscapeKind = {
  name: 'quoted-printable',
  starts: '=',
  present: (text) => /=(?:[0-9A-Fa-f]{2}|[ \t]*\r?\n)/.test(text),
  at(text, i) {
    let k = i + 1;
    while (k < i + 1 + MAX_PADDING && (text[k] === ' ' || text[k] === '\t')) k++;
    if (text[k] === '\n') return ['', k + 1];
    if (text[k] === '\r' && text[k + 1] === '\n') return ['', k + 2];
    return utf8At(text, i, qpByte);
  },
};

export const BACKSLASH: EscapeKind = {
  name: 'backslash',
  starts: '\\',
  present: (text) => /\\(?:[0-7]|X[0-9A-Fa-f]{2}|u\{|U[0-9A-Fa-f]{8})/.test(text),
  at(text, i) {
    const next = text[i + 1];
    if (next === 'u') return text[i + 2] === '{' ? bracedAt(text, i) : undefined;
    if (next === 'U') return codePoint(number(text, i + 2, 8, 16, 8), i + 10);
    if (next === 'X') return utf8At(text, i, bigXByte);
    return utf8At(text, i, octalByte);
  },
};

export const ECHO_OCTAL: EscapeKind = {
  name: 'echo octal',
  starts: '\\',
  present: (text) => /\\0[0-7]{3}/.test(text),
  at: (text, i) => utf8At(text, i, echoByte) ?? BACKSLASH.at(text, i),
};

export const HTML: EscapeKind = {
  name: 'html',
  starts: '&',
  present: mayHoldWideHtml,
  at: wideHtmlAt,
};

/** Every kind, each read in a reading of its own. */
export const KINDS: readonly EscapeKind[] = [QUOTED_PRINTABLE, BACKSLASH, ECHO_OCTAL, HTML];

/** RFC 2045's lines are 76 characters at most: white space before a soft break is looked at that far. */
const MAX_PADDING = 76;

/** A byte written at `at`, and where it ends, or undefined. */
type ByteAt = (text: string, at: number) => [number, number] | undefined;

const hexByte =
  (prefix: string): ByteAt =>
  (text, at) => {
    if (!text.startsWith(prefix, at)) return undefined;
    const v = number(text, at + prefix.length, 2, 16, 2);
    return v < 0 ? undefined : [v, at + prefix.length + 2];
  };
const qpByte = hexByte('=');
const bigXByte = hexByte('\\X');

/** `\` and 1 to 3 octal digits, as C reads them (as many as there are, 3 at most), of a byte's value. */
const octalByte: ByteAt = (text, at) => {
  if (text[at] !== '\\') return undefined;
  return byteOf(text, at + 1, octalRun(text, at + 1, 3));
};

/** `\0` and 3 octal digits, as echo -e reads them. */
const echoByte: ByteAt = (text, at) => {
  if (text[at] !== '\\' || text[at + 1] !== '0' || octalRun(text, at + 2, 3) !== 3) return undefined;
  return byteOf(text, at + 2, 3);
};

/** How many octal digits (up to `max`) stand at `from`. */
function octalRun(text: string, from: number, max: number): number {
  let n = 0;
  while (n < max && digit(text.charCodeAt(from + n), 8) >= 0) n++;
  return n;
}

/** The byte the `n` octal digits at `from` write, and where they end; undefined for none or past 0xFF. */
function byteOf(text: string, from: number, n: number): [number, number] | undefined {
  const v = n ? number(text, from, n, 8, n) : -1;
  return v < 0 || v > 0xff ? undefined : [v, from + n];
}

/** The number the `n` digits of `radix` at `from` write (all `n` of them, at least `min`), or -1. */
function number(text: string, from: number, n: number, radix: number, min: number): number {
  let v = 0;
  let k = from;
  for (; k < from + n; k++) {
    const d = digit(text.charCodeAt(k), radix);
    if (d < 0) break;
    v = v * radix + d;
  }
  return k - from < min ? -1 : v;
}

/** The escape `\u{...}` at `i` (1 to 6 hex digits), or undefined; its `}` is looked for within the digits' reach only. */
function bracedAt(text: string, i: number): [string, number] | undefined {
  let k = i + 3;
  while (k < i + 9 && digit(text.charCodeAt(k), 16) >= 0) k++;
  if (k === i + 3 || text[k] !== '}') return undefined;
  return codePoint(number(text, i + 3, k - i - 3, 16, 1), k + 1);
}

/** The character of the code point `code` (a half of a surrogate pair alone too) ending at `end`, or undefined. */
const codePoint = (code: number, end: number): [string, number] | undefined =>
  code < 0 || code > 0x10ffff ? undefined : [String.fromCodePoint(code), end];

/**
 * The character a run of escaped UTF-8 bytes from `i` stands for (each byte as `byteAt` reads it)
 * and where the run ends, or undefined when the bytes are no UTF-8 character.
 */
function utf8At(text: string, i: number, byteAt: ByteAt): [string, number] | undefined {
  const first = byteAt(text, i);
  if (!first) return undefined;
  let [code, end] = first;
  if (code < 0x80) return [String.fromCharCode(code), end];
  const more = code > 0xf4 ? 0 : code >= 0xf0 ? 3 : code >= 0xe0 ? 2 : code >= 0xc2 ? 1 : 0;
  if (more === 0) return undefined;
  code &= 0x3f >> more;
  for (let k = 1; k <= more; k++) {
    const b = byteAt(text, end);
    if (!b || b[0] < 0x80 || b[0] > 0xbf) return undefined;
    code = (code << 6) | (b[0] & 0x3f);
    end = b[1];
  }
  const min = [0, 0x80, 0x800, 0x10000][more]!;
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return [String.fromCodePoint(code), end];
}
