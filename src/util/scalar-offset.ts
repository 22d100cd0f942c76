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
 * Where characters of a scalar's string `value` are in `text`. Folding, indentation and chomping
 * change only blanks and line breaks, so the value's n-th character other than a blank is the
 * n-th of the scalar's text (after a block scalar's header line, a quoted one's quote), escapes
 * read (sourceChars); checked on the way, so what is not read gives undefined, never a wrong
 * place. Asked in ascending order (a template's problems), it reads the scalar once however many
 * are asked: walking from the value's start for each made 16,000 unknown template fields in one
 * value take 34 s, and a rule file may be 4 MiB.
 */
export class ScalarOffsets {
  private chars: Generator<[string, number]> | undefined;
  /** The value's next character to match, where the last one matched stands, and whether one did not match. */
  private next = 0;
  private last: number | undefined;
  private stuck = false;

  constructor(
    private readonly text: string,
    private readonly value: string,
    private readonly type: Scalar['type'],
    private readonly range: readonly [number, number, number],
  ) {}

  /** Where the value's character `offset` is in the text, or undefined. */
  at(offset: number): number | undefined {
    const { value } = this;
    if (!(offset >= 0 && offset < value.length) || BLANK.test(value[offset]!)) return undefined;
    if (offset === this.next - 1 && !this.stuck) return this.last;
    if (offset < this.next || !this.chars) this.restart();
    for (; !this.stuck && this.next <= offset; this.next++) {
      if (BLANK.test(value[this.next]!)) continue;
      let c = this.chars!.next();
      while (!c.done && BLANK.test(c.value[0])) c = this.chars!.next();
      if (c.done || c.value[0] !== value[this.next]) this.stuck = true;
      else this.last = c.value[1];
    }
    return this.stuck ? undefined : this.last;
  }

  private restart(): void {
    const [start, end] = this.range;
    let s = start;
    if (this.type === 'BLOCK_LITERAL' || this.type === 'BLOCK_FOLDED') s = this.text.indexOf('\n', start) + 1;
    else if (this.type === 'QUOTE_DOUBLE' || this.type === 'QUOTE_SINGLE') s = start + 1;
    this.chars = sourceChars(this.text, s, end, this.type);
    this.next = 0;
    this.last = undefined;
    this.stuck = s <= 0;
  }
}
