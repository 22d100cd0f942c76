import { LineQuotes, isLineEnd } from './line-quotes.js';
import { urlStart } from './url-start.js';

/**
 * A URL whose end is known: where its authority starts (after `://`) and where it ends; for a bare
 * one, the bracket that closes one opened before it on its line (`(see http://…)`, `<http://…>`),
 * if any, which may stand between its secret and its blank.
 */
export interface UrlSpan {
  after: number;
  end: number;
  bare: boolean;
  closer?: string | undefined;
}

/** What may stand right before a bare URL in free text: nothing, a blank, or `(<[{=:,;>`. */
const BARE_BEFORE = /[\s(<[{=:,;>]/;

/**
 * The URLs of a text whose end is known, so that a secret `key=value` inside one ends there at the
 * latest, not at the line's end (util/redact-pairs.ts). A URL starts as util/url-start.ts says.
 * - In double quotes, as a config problem or a message quotes one (`found
 *   "http://h/am?apikey=abc", which has a query...`): the `"` right before its scheme, closed by
 *   a later `"` on its line that no backslash escapes (JSON's `\"`) and a blank, a punctuation
 *   mark or the line's end follows, when the line's quotes from the first are even in number
 *   (util/line-quotes.ts: a `"` inside the URL's secret does not end it); one not closed on its
 *   line is none.
 * - Bare, as a message writes one (`pushing to http://h/qss?token=abc every 60s`): nothing, a
 *   blank or one of `(<[{=:,;>` right before its scheme, and no quote (`"`, `'`, `` ` ``) in it:
 *   it ends at the first white space, as a URL holds none (a space in it is written `%20`).
 *   One with a quote in it, or another character before it (`'http://…`, `x"+http://…`), may be
 *   in a quoted text whose spaces are its own: its end is not known.
 * Looked up at increasing positions only: each character is looked at a bounded number of
 * times, however many lookups.
 */
export class UrlEnds {
  private from = 0;
  private current: UrlSpan | undefined;
  private started = false;
  private quotes: LineQuotes | undefined;
  private readonly parens: OpenParens;

  constructor(private readonly text: string) {
    this.parens = new OpenParens(text);
  }

  /** The URL that `at` stands in after its `://` (it ends at its closing quote, or the blank after it), or undefined. */
  around(at: number): UrlSpan | undefined {
    if (!this.started) [this.started, this.current] = [true, this.next()];
    while (this.current && this.current.end < at) this.current = this.next();
    const url = this.current;
    return url && url.after <= at && at < url.end ? url : undefined;
  }

  /** The next URL from `this.from` whose end is known, or undefined. */
  private next(): UrlSpan | undefined {
    const text = this.text;
    for (let c = text.indexOf('://', this.from); c >= 0; c = text.indexOf('://', this.from)) {
      const start = urlStart(text, c);
      this.from = c + 3;
      if (start < 0) continue;
      const before = text[start - 1];
      if (before === '"') {
        const [end, closed] = (this.quotes ??= new LineQuotes(text)).closing(start - 1);
        // Not closed on its line: neither is any later URL on it (the scan passed them), so on from there.
        this.from = end + 1;
        if (closed) return { after: c + 3, end, bare: false };
      } else if (before === undefined || BARE_BEFORE.test(before)) {
        const [end, bare] = blankAfter(text, c + 3);
        // A `://` before the blank is this URL's (`?next=http://…`): on from the blank.
        this.from = end;
        const closer = OPENED[before ?? ''] ?? (this.parens.openAt(start) ? ')' : undefined);
        if (bare) return { after: c + 3, end, bare, closer };
      }
    }
    this.from = text.length;
    return undefined;
  }
}

const BLANK = /\s/g;
const BLANK_OR_QUOTE = /[\s"'`]/g;

/** The first white space from `from` (or the text's end), and whether no quote came before it. */
function blankAfter(text: string, from: number): [number, boolean] {
  const at = (re: RegExp, i: number): number => {
    re.lastIndex = i;
    return re.exec(text)?.index ?? text.length;
  };
  const stop = at(BLANK_OR_QUOTE, from);
  return isBlankAt(text, stop) ? [stop, true] : [at(BLANK, stop), false];
}

const isBlankAt = (text: string, i: number): boolean => i >= text.length || /\s/.test(text[i]!);

/** The closer of a bracket right before a bare URL (`(http://…)`, `<http://…>`, `[http://…]`). */
const OPENED: Readonly<Record<string, string>> = { '(': ')', '<': '>', '[': ']' };

/**
 * Whether a `(` is open at a position on its line (`(see http://…`): more `(` than `)` from the
 * line's start. Asked at increasing positions only: each character is counted once.
 */
class OpenParens {
  private at = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  openAt(to: number): boolean {
    for (; this.at < to; this.at++) {
      const c = this.text[this.at];
      if (c === '(') this.depth++;
      else if (c === ')') this.depth = Math.max(0, this.depth - 1);
      else if (isLineEnd(c)) this.depth = 0;
    }
    return this.depth > 0;
  }
}

/**
 * Where a value that runs to a bare URL's end (`from`..`end`, before its blank) ends once the
 * sentence's punctuation after the URL is left out: `GET http://h/?token=S, retry` hides `S`
 * and shows `, retry`. A bare URL ends at its blank, so without this, the `,` of the sentence it
 * stands in was hidden with the secret. Left out, when the value keeps a character at least:
 * - one `,`, `;` or `:`: a token, a key or a digest never ends with one;
 * - one `.`, when the value holds no other `.` (a dotted value, a JWT `a.b.`, may end with its own);
 * - one closer of a bracket opened before the URL on its line (`(see http://h/?token=S).`,
 *   `<http://h/?sig=S>`), when the value holds no opener of it;
 * in either order (`S),`, `S.)`). Not `!` nor `?`: a password may well end with one
 * (`hunter2!`). A secret that does end with a character left out shows it: the configured secrets
 * are hidden by value too (util/log-secrets.ts), whole; where a mark may be the secret's (`..`,
 * `a.b.`, `)` with no bracket open), it stays hidden with it.
 */
export function beforeSentenceMarks(
  text: string,
  from: number,
  end: number,
  closer: string | undefined,
): number {
  let mark = false;
  let closed = false;
  for (let step = 0; step < 2 && end - 1 > from; step++) {
    const c = text[end - 1]!;
    const value = text.slice(from, end - 1);
    if (!mark && (/[,;:]/.test(c) || (c === '.' && !value.includes('.')))) mark = true;
    else if (!closed && closer !== undefined && c === closer && !value.includes(OPENER[closer]!))
      closed = true;
    else break;
    end--;
  }
  return end;
}

const OPENER: Readonly<Record<string, string>> = { ')': '(', '>': '<', ']': '[' };
