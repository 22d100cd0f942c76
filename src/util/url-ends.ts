import { LineQuotes } from './line-quotes.js';
import { urlStart } from './url-start.js';

/** A URL whose end is known: where its authority starts (after `://`) and where it ends. */
interface UrlSpan {
  after: number;
  end: number;
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

  constructor(private readonly text: string) {}

  /** Where the URL that `at` stands in after its `://` ends (its closing quote, or the blank after it), or undefined. */
  endAround(at: number): number | undefined {
    if (!this.started) [this.started, this.current] = [true, this.next()];
    while (this.current && this.current.end < at) this.current = this.next();
    const url = this.current;
    return url && url.after <= at && at < url.end ? url.end : undefined;
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
        if (closed) return { after: c + 3, end };
      } else if (before === undefined || BARE_BEFORE.test(before)) {
        const [end, bare] = blankAfter(text, c + 3);
        // A `://` before the blank is this URL's (`?next=http://…`): on from the blank.
        this.from = end;
        if (bare) return { after: c + 3, end };
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
