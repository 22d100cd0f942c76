/**
 * Values to hide in a text, each replaced by `shown` wherever it stands: the secret values a log
 * line must not hold (util/log-secrets.ts), a configuration's secrets in a problem's message
 * (util/secret-values.ts hideSecretValues), the access tokens Zoom echoes (zoom/hide-tokens.ts).
 * A value shorter than `min` is not hidden as it is (it could be a word of the message), only in
 * the forms `wrapped` gives of it, whatever their length (a short secret quoted whole: `"on"`).
 * Every form of every value is tried longest first, so that a value inside a longer one leaves
 * none of the longer one shown; the list is sorted once, when the values are set.
 */
export class HiddenValues {
  private forms: readonly string[] = [];

  constructor(
    private readonly shown: string,
    private readonly min: number,
    private readonly wrapped: (value: string) => readonly string[] = () => [],
    values: Iterable<string> = [],
  ) {
    this.set(values);
  }

  /** Hides `values` from now on, in place of those set before. */
  set(values: Iterable<string>): this {
    const all = new Set<string>();
    for (const v of values) {
      if (!v) continue;
      if (v.length >= this.min) all.add(v);
      for (const w of this.wrapped(v)) if (w) all.add(w);
    }
    this.forms = [...all].sort((a, b) => b.length - a.length);
    return this;
  }

  /** `text` with every form of every value in it replaced by `shown`: one search per form. */
  readonly hide = (text: string): string => {
    let out = text;
    for (const s of this.forms) if (out.includes(s)) out = out.split(s).join(this.shown);
    return out;
  };
}

/** `text` with each of `values` (those of `min` characters or more, and their `wrapped` forms) replaced by `shown`, longest first. */
export const hideValues = (
  text: string,
  values: Iterable<string>,
  shown: string,
  min: number,
  wrapped?: (value: string) => readonly string[],
): string => new HiddenValues(shown, min, wrapped, values).hide(text);
