import type { Scalar } from 'yaml';

const BLANK = /\s/;

/** What a double-quoted scalar's one-letter escapes stand for (YAML 1.2, 5.7). */
const SIMPLE: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

/** How many hex digits follow `\x`, `\u` and `\U`. */
const HEX: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** The escape at `at` (a `\`) of a double-quoted scalar: what it stands for and its length; undefined when unknown. */
function escapeAt(text: string, at: number): { chars: string; length: number } | undefined {
  const k = text.charAt(at + 1);
  if (Object.hasOwn(SIMPLE, k)) return { chars: SIMPLE[k]!, length: 2 };
  // An escaped line break: nothing (the next line's leading blanks are blanks).
  if (k === '\n') return { chars: '', length: 2 };
  if (k === '\r') return { chars: '', length: text[at + 2] === '\n' ? 3 : 2 };
  const n = Object.hasOwn(HEX, k) ? HEX[k]! : 0;
  const hex = text.slice(at + 2, at + 2 + n);
  if (!n || !new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
  const code = parseInt(hex, 16);
  return code > 0x10ffff ? undefined : { chars: String.fromCodePoint(code), length: 2 + n };
}

/**
 * The characters of a scalar's text from `s` to `end` as its value holds them, each with where
 * it stands in the text: a double-quoted scalar's escapes read (`\u00e9` is one `é`, at its
 * `\`), a single-quoted one's `''` as one `'`. Stops at an escape it does not know.
 */
function* sourceChars(
  text: string,
  s: number,
  end: number,
  type: Scalar['type'],
): Generator<[string, number]> {
  while (s < end) {
    if (type === 'QUOTE_DOUBLE' && text[s] === '\\') {
      const e = escapeAt(text, s);
      if (!e) return;
      for (let k = 0; k < e.chars.length; k++) yield [e.chars[k]!, s];
      s += e.length;
    } else if (type === 'QUOTE_SINGLE' && text[s] === "'" && text[s + 1] === "'") {
      yield ["'", s];
      s += 2;
    } else yield [text[s]!, s++];
  }
}

/**
 * Where the character `offset` of a scalar's string `value` is in `text`, or undefined. Folding,
 * indentation and chomping change only blanks and line breaks, so the value's n-th character
 * other than a blank is the n-th of the scalar's text (after a block scalar's header line, a
 * quoted one's quote), escapes read (sourceChars); checked on the way, so what is not read
 * gives undefined, never a wrong place.
 */
export function scalarTextOffset(
  text: string,
  value: string,
  type: Scalar['type'],
  range: readonly [number, number, number],
  offset: number,
): number | undefined {
  if (!(offset >= 0 && offset < value.length) || BLANK.test(value[offset]!)) return undefined;
  const [start, end] = range;
  let s = start;
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') s = text.indexOf('\n', start) + 1;
  else if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') s = start + 1;
  if (s <= 0) return undefined;
  const chars = sourceChars(text, s, end, type);
  for (let i = 0; i <= offset; i++) {
    if (BLANK.test(value[i]!)) continue;
    let next = chars.next();
    while (!next.done && BLANK.test(next.value[0])) next = chars.next();
    if (next.done || next.value[0] !== value[i]) return undefined;
    if (i === offset) return next.value[1];
  }
  return undefined;
}
