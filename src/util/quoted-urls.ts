/** A URL in double quotes: where its authority starts (after `://`) and where its closing quote is. */
interface QuotedUrl {
  after: number;
  end: number;
}

const isSchemeChar = (c: string | undefined): boolean => c !== undefined && /[a-z0-9+.-]/i.test(c);

/**
 * The URLs of a text that stand in double quotes, as a config problem or a message quotes one
 * (`found "http://h/am?apikey=abc", which has a query...`): a secret `key=value` inside one ends
 * at its closing quote at the latest, not at the line's end (util/redact-pairs.ts). A URL's quote
 * is the `"` right before its scheme, closed by the next `"` that no backslash escapes (JSON's
 * `\"`) on the same line; one not closed on its line is none. Looked up at increasing positions
 * only: each character is looked at a bounded number of times, however many lookups.
 */
export class QuotedUrls {
  private from = 0;
  private current: QuotedUrl | undefined;
  private started = false;

  constructor(private readonly text: string) {}

  /** Where the quoted URL that `at` stands in after its `://` ends (its closing quote), or undefined. */
  endAround(at: number): number | undefined {
    if (!this.started) [this.started, this.current] = [true, this.next()];
    while (this.current && this.current.end < at) this.current = this.next();
    const url = this.current;
    return url && url.after <= at && at < url.end ? url.end : undefined;
  }

  /** The next quoted URL from `this.from`, or undefined. */
  private next(): QuotedUrl | undefined {
    const text = this.text;
    for (let c = text.indexOf('://', this.from); c >= 0; c = text.indexOf('://', this.from)) {
      let start = c;
      while (isSchemeChar(text[start - 1])) start--;
      this.from = c + 3;
      if (start === c || !/[a-z]/i.test(text[start]!) || text[start - 1] !== '"') continue;
      const [end, closed] = closingQuote(text, c + 3);
      // Not closed on its line: neither is any later URL on it (the scan passed them), so on from there.
      this.from = end + 1;
      if (closed) return { after: c + 3, end };
    }
    this.from = text.length;
    return undefined;
  }
}

/** The first `"` from `from` that no backslash escapes, and true; or the line's end, and false. */
function closingQuote(text: string, from: number): [number, boolean] {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') return [i, false];
    if (c === '"') return [i, true];
    if (c === '\\' && text[i + 1] !== '\n' && text[i + 1] !== '\r') i++;
  }
  return [text.length, false];
}
