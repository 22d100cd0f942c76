/** A secret written as tools and servers escape it, for the redaction tests (test/util/*-forms, near-miss-escapes). */

export const bytes = (s: string): number[] => [...Buffer.from(s)];
export const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/** `s` as quoted-printable (RFC 2045): `=`, blanks, controls and non-ASCII bytes as `=XX`, the rest kept. */
export const quotedPrintable = (s: string): string =>
  bytes(s)
    .map((b) => (b > 0x20 && b < 0x7f && b !== 0x3d ? String.fromCharCode(b) : `=${hex2(b).toUpperCase()}`))
    .join('');

/** `s`'s UTF-8 bytes as C's 3-digit octal escapes (`\303\244`). */
export const octal = (s: string): string =>
  bytes(s)
    .map((b) => `\\${b.toString(8).padStart(3, '0')}`)
    .join('');

/** `s` as JavaScript's, Rust's and Swift's `\u{..}` escapes. */
export const braced = (s: string): string =>
  Array.from(s, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join('');
