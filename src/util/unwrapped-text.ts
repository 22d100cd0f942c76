/**
 * A text with its line breaks taken out, and where each of its characters stands in the text: a
 * base64 text that MIME wraps at 76 columns (RFC 2045), or PEM at 64, is read as one
 * (util/base64-forms.ts). A break is `\r\n` or `\n`, or the two characters that a JSON string
 * writes for them (`\r\n`, `\n` escaped: a body logged as it came).
 */
export class UnwrappedText {
  /** The text without its breaks. */
  readonly text: string;
  /** Where each run between two breaks starts in `text`, and in the text given: worked out when first asked. */
  private starts: number[] = [];
  private origins: number[] = [];

  constructor(private readonly wrapped: string) {
    this.text = wrapped.replace(BREAKS, '');
  }

  /** Whether `text` holds a break (a cheap look before unwrapping it). */
  static wrapped(text: string): boolean {
    return text.includes('\n') || text.includes('\\n');
  }

  /** Where `text`'s characters `from`..`to` (to > from) stand in the text given. */
  span(from: number, to: number): [number, number] {
    if (!this.starts.length) this.runs();
    return [this.at(from), this.at(to - 1) + 1];
  }

  private runs(): void {
    let [length, done] = [0, 0];
    BREAKS.lastIndex = 0;
    for (let m = BREAKS.exec(this.wrapped); m; m = BREAKS.exec(this.wrapped)) {
      this.run(length, done);
      length += m.index - done;
      done = m.index + m[0].length;
    }
    this.run(length, done);
  }

  /** A run that starts at `start` in `text` and `origin` in the text given; a run of none gives its place to the next. */
  private run(start: number, origin: number): void {
    if (this.starts.at(-1) === start) {
      this.origins[this.origins.length - 1] = origin;
      return;
    }
    this.starts.push(start);
    this.origins.push(origin);
  }

  private at(i: number): number {
    let [lo, hi] = [0, this.starts.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.origins[lo]! + i - this.starts[lo]!;
  }
}

const BREAKS = /\r?\n|(?:\\r)?\\n/g;
