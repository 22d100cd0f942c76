/**
 * Escaped bytes of UTF-8 text, each byte a prefix and its digits, for util/escaped-text.ts: a
 * URL's `%C3%A4`, the `\xc3\xa4` of C, Python and JavaScript strings, the octal `\303\244` of C,
 * git's quoted paths and PostgreSQL's bytea, and quoted-printable's `=C3=A4` (RFC 2045: a mail
 * server echoing a password).
 */

/** How a byte is written: a prefix, then `digits` digits of `radix`. */
export interface ByteForm {
  prefix: string;
  digits: number;
  radix: 16 | 8;
}

export const PERCENT: ByteForm = { prefix: '%', digits: 2, radix: 16 };
export const BACKSLASH_X: ByteForm = { prefix: '\\x', digits: 2, radix: 16 };
export const OCTAL: ByteForm = { prefix: '\\', digits: 3, radix: 8 };
export const QUOTED_PRINTABLE: ByteForm = { prefix: '=', digits: 2, radix: 16 };

/** The number the `n` hex digits at `from` write, or -1 when they are not `n` hex digits. */
export function digitsAt(text: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = text.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** The byte the 3 octal digits at `from` write (`303`), or -1. */
function octalAt(text: string, from: number): number {
  let v = 0;
  for (let i = from; i < from + 3; i++) {
    const d = text.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 7)) return -1;
    v = v * 8 + d;
  }
  return v > 0xff ? -1 : v;
}

/** The byte written at `at` in `form` (`%C3`, `\xc3`, `\303`, `=C3`), or -1. */
function byteAt(text: string, at: number, form: ByteForm): number {
  if (!text.startsWith(form.prefix, at)) return -1;
  const from = at + form.prefix.length;
  return form.radix === 8 ? octalAt(text, from) : digitsAt(text, from, 2);
}

/**
 * The character a run of escaped UTF-8 bytes from `i` stands for (`%41`, `%C3%A4`,
 * `%F0%9F%98%80`, `\xc3\xa4`, `\303\244`: each byte in `form`) and where the run ends, or
 * undefined when the bytes are no UTF-8 character.
 */
export function utf8At(text: string, i: number, form: ByteForm): [string, number] | undefined {
  const size = form.prefix.length + form.digits;
  const lead = byteAt(text, i, form);
  if (lead < 0) return undefined;
  if (lead < 0x80) return [String.fromCharCode(lead), i + size];
  const more = lead > 0xf4 ? 0 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc2 ? 1 : 0;
  if (more === 0) return undefined;
  let code = lead & (0x3f >> more);
  for (let k = 1; k <= more; k++) {
    const b = byteAt(text, i + size * k, form);
    if (b < 0x80 || b > 0xbf) return undefined;
    code = (code << 6) | (b & 0x3f);
  }
  const min = [0, 0x80, 0x800, 0x10000][more]!;
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return [String.fromCodePoint(code), i + size * (more + 1)];
}
