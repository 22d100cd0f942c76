/** A span of a text replaced: where it starts and ends in the text, and what stands for it. */
export type Cut = readonly [from: number, to: number, chars: string];

/**
 * A text with some spans of it replaced, and where each character of the result stands in the
 * text: a view of a text in which a known value is looked for, and found spans placed back
 * (util/hide-values.ts: hex digits with their separators taken out, layers of percent-encoding
 * taken off at once). The view is made at once (by the engine's own replace); where its
 * characters stand only when first asked, from `cuts` (the spans replaced, in order).
 */
export class SplicedText {
  /** Where each replaced span starts and ends in `read`, and in the text: worked out when first asked. */
  private reads: number[] = [];
  private texts: number[] = [];
  private marked = false;

  constructor(
    private readonly text: string,
    readonly read: string,
    private readonly cuts: () => Iterable<Cut>,
  ) {}

  /** `text` with each match of `search` (global, matching no empty text) replaced by `by`. */
  static replacing(text: string, search: RegExp, by: string): SplicedText {
    return new SplicedText(text, text.replace(search, by), () => cutsOf(text, search, by));
  }

  /** Whether any span was replaced by characters fewer than its own (all that this file's callers do). */
  get changed(): boolean {
    return this.read.length !== this.text.length;
  }

  /** Where `read`'s characters `from`..`to` (to > from) stand in the text: from the first's start to the last's end. */
  span(from: number, to: number): [number, number] {
    if (!this.marked) this.mark();
    return [this.charAt(from)[0], this.charAt(to - 1)[1]];
  }

  private mark(): void {
    let [read, done] = [0, 0];
    for (const [from, to, chars] of this.cuts()) {
      read += from - done;
      this.reads.push(read, read + chars.length);
      this.texts.push(from, to);
      read += chars.length;
      done = to;
    }
    this.marked = true;
  }

  /**
   * Where `read`'s character `r` stands in the text: the span it was replaced from, or where it
   * is kept. The marks (`reads`) are each replaced span's start and end in `read`, in order: after
   * the last mark at or before `r`, a start (an even one) means `r` is in that span, an end that
   * it is kept from that span's end on (a span replaced by nothing has its two marks at one place).
   */
  private charAt(r: number): [number, number] {
    let [lo, hi] = [-1, this.reads.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.reads[mid]! <= r) lo = mid;
      else hi = mid - 1;
    }
    if (lo >= 0 && lo % 2 === 0) return [this.texts[lo]!, this.texts[lo + 1]!];
    const at = lo < 0 ? r : this.texts[lo]! + r - this.reads[lo]!;
    return [at, at + 1];
  }
}

/** The matches of `search` (global) in `text`, each as a cut replaced by `by`. */
function* cutsOf(text: string, search: RegExp, by: string): Generator<Cut> {
  search.lastIndex = 0;
  for (let m = search.exec(text); m; m = search.exec(text)) yield [m.index, m.index + m[0].length, by];
}
