/** Whether `c` ends a line: `\n` or `\r` (the one definition for the redaction files). */
export const isLineEnd = (c: string | undefined): boolean => c === '\n' || c === '\r';

const LINE_END = /[\n\r]/g;

/** Where the line that `from` stands on ends: its first `\n` or `\r` from `from`, or the text's end. */
export function lineEndFrom(text: string, from: number): number {
  LINE_END.lastIndex = from;
  return LINE_END.exec(text)?.index ?? text.length;
}

/**
 * Whether the quote or bracket at `at` may close a quoted text or a bracket: the text's end, a
 * blank, a `,` or `;`, or a `&` before a query's next `key=` follows it, or one punctuation mark
 * or closer (`.:!?)]}>`) before one of those, a quote, a backslash (`\"}\"`) or another (`"a"b"`
 * holds `a"b`, `{ token: a}b }` holds `a}b`, `password="SE".KRIT` holds `SE".KRIT`: one inside a
 * secret is not its end). Two characters looked at, so that every caller stays linear.
 */
export const mayClose = (text: string, at: number): boolean => {
  const next = text[at + 1];
  if (next === undefined || ENDS.test(next)) return true;
  if (next === '&') return pairOrEndAt(text, at + 2);
  if (!MARKS.test(next)) return false;
  const after = text[at + 2];
  return after === undefined || ENDS.test(after) || MARKS.test(after) || /["'`\\]/.test(after);
};

/** What may follow a closing quote or bracket: the end of a field or a word. */
const ENDS = /[\s,;]/;

/**
 * Whether a `&` before `at` ends a value: a query string's next `key=` or nothing follows it (a
 * `&` in a secret does not: `"Tr0ub4dor"&3`). Looks over one key at most.
 */
const pairOrEndAt = (text: string, at: number): boolean => {
  if (at >= text.length || /\s/.test(text[at]!)) return true;
  PAIR.lastIndex = at;
  return PAIR.test(text);
};

const PAIR = /[\w.[\]-]+=/y;
/** The punctuation marks and closers that may stand between a closing quote and what follows it. */
const MARKS = /[.:!?)\]}>]/;

/**
 * The double quotes that no backslash escapes (JSON's `\"`) on a text's lines, read once per
 * line, for where a text that one of them opens closes (closing). Asked at increasing positions
 * only: each character is looked at a bounded number of times, however many questions.
 */
export class LineQuotes {
  /** The end of the line read last (a line end or the text's end), -1 before the first. */
  private lineEnd = -1;
  /** Its quotes' positions, and the first that a question may still be about. */
  private quotes: number[] = [];
  private k = 0;

  constructor(private readonly text: string) {}

  /**
   * Where the text opened by the quote at `open` closes, and true; or its line's end, and false
   * when it does not close on its line: `open` is escaped, or the quotes from it to the line's
   * end are odd in number (one of them is inside a quoted text: `"http://h/?p=SE"KRIT", bad`),
   * or none of them ends a quotation (mayClose:
   * `"http://h/?p=SE"KRIT"` holds `SE"KRIT`).
   */
  closing(open: number): [number, boolean] {
    if (open > this.lineEnd) this.read(open);
    const q = this.quotes;
    while (this.k < q.length && q[this.k]! < open) this.k++;
    if (q[this.k] !== open || (q.length - this.k) % 2 === 1) return [this.lineEnd, false];
    for (let j = this.k + 1; j < q.length; j++) {
      if (mayClose(this.text, q[j]!)) {
        this.k = j + 1;
        return [q[j]!, true];
      }
    }
    return [this.lineEnd, false];
  }

  /** Reads the line `at` is on (after the line read last): its end and its unescaped quotes. */
  private read(at: number): void {
    const text = this.text;
    let i = at;
    while (i > this.lineEnd + 1 && !isLineEnd(text[i - 1])) i--;
    this.quotes = [];
    this.k = 0;
    QUOTE_OR_LINE_END.lastIndex = i;
    for (let m = QUOTE_OR_LINE_END.exec(text); m; m = QUOTE_OR_LINE_END.exec(text)) {
      if (m[0] !== '"') {
        this.lineEnd = m.index;
        return;
      }
      // Escaped by an odd run of backslashes before it (`\"`, `\\\"`), as a left-to-right reading has it.
      let b = m.index;
      while (b > i && text[b - 1] === '\\') b--;
      if ((m.index - b) % 2 === 0) this.quotes.push(m.index);
    }
    this.lineEnd = text.length;
  }
}

const QUOTE_OR_LINE_END = /["\n\r]/g;
