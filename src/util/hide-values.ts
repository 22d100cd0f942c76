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
  private forms: readonly Form[] = [];

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
    this.forms = [...new Set([...all].map(upperEscapes))]
      .sort((a, b) => b.length - a.length)
      .map((form) => ({ form, percent: form.includes('%') }));
    return this;
  }

  /**
   * `text` with every form of every value in it replaced by `shown`: one search per form. Its
   * percent-escapes are read in either case (`%2f`, `%2F`, `%u00e4`: a server may write either,
   * and mix them in one value): where it has one in lower case, each form is looked for in its
   * copy with them in upper case, and replaced at the same place in it (the two are as long).
   */
  readonly hide = (text: string): string => {
    const percent = text.includes('%');
    let norm = percent && LOWER_ESCAPE.test(text) ? upperEscapes(text) : text;
    let out = text;
    for (const f of this.forms) {
      // A form with a `%` is not looked for in a text without one.
      if ((f.percent && !percent) || !norm.includes(f.form)) continue;
      if (norm === out) out = norm = out.split(f.form).join(this.shown);
      else [out, norm] = replaceAt(out, norm, f.form, this.shown);
    }
    return out;
  };
}

/** A form to look for, and whether it holds a `%`. */
interface Form {
  form: string;
  percent: boolean;
}

/** A percent-escape with a hex digit in lower case (`%2f`, `%u00e4`). */
const LOWER_ESCAPE = /%(?:[0-9a-fA-F]?[a-f]|u[0-9a-fA-F]{0,3}[a-f])/;

/** Percent-escapes (`%2f`, and escape()'s `%u00e4`) with their hex digits in upper case: as long as before. */
const upperEscapes = (text: string): string =>
  text.replace(/%(?:u[0-9a-fA-F]{4}|[0-9a-fA-F]{2})/g, (e) => e.toUpperCase().replace('%U', '%u'));

/** `out` and `norm` (as long as `out`) with `shown` wherever `norm` holds `form`, in both. */
function replaceAt(out: string, norm: string, form: string, shown: string): [string, string] {
  let [o, n, done] = ['', '', 0];
  for (let at = norm.indexOf(form); at >= 0; at = norm.indexOf(form, done)) {
    o += `${out.slice(done, at)}${shown}`;
    n += `${norm.slice(done, at)}${shown}`;
    done = at + form.length;
  }
  return [o + out.slice(done), n + norm.slice(done)];
}

/** `text` with each of `values` (those of `min` characters or more, and their `wrapped` forms) replaced by `shown`, longest first. */
export const hideValues = (
  text: string,
  values: Iterable<string>,
  shown: string,
  min: number,
  wrapped?: (value: string) => readonly string[],
): string => new HiddenValues(shown, min, wrapped, values).hide(text);
