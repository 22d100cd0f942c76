import { isUtf8 } from 'node:buffer';

/** Where a file stops being UTF-8 text, and why; undefined when it is UTF-8 text. */
export function notUtf8(bytes: Uint8Array): { line: number; col: number; why: string } | undefined {
  // Node's own check answers valid text at once (a config and the shipped rules were 6 ms of a
  // start through the loop below, run cold); the loop finds where and why a file is not.
  if (isUtf8(bytes) && !bytes.includes(0)) return undefined;
  const b0 = bytes[0];
  const b1 = bytes[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff))
    return { line: 1, col: 1, why: 'it is UTF-16 (it starts with a UTF-16 byte order mark)' };
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    const at = { line, col: i - lineStart + 1 };
    if (c === 0)
      return { ...at, why: 'it holds NUL bytes (UTF-16 or UTF-32 without a byte order mark, or not text)' };
    if (c === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    // Bytes a UTF-8 sequence needs after its lead byte, and the smallest second byte (no overlongs).
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) need = 0;
    else if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return { ...at, why: `byte 0x${c.toString(16)} cannot start a UTF-8 character` };
    for (let k = 1; k <= need; k++) {
      const n = bytes[i + k];
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (n === undefined || n < min || n > max)
        return { ...at, why: `the bytes at byte ${i + 1} are not a UTF-8 character` };
    }
    i += need + 1;
  }
  return undefined;
}
