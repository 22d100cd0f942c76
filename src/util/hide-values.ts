import { base64Forms, Base64Search } from './base64-forms.js';
import { hexJoined } from './hex-runs.js';
import { replaceSpans } from './replace-spans.js';
import { readingChains } from './text-readings.js';

/**
 * Values to hide in a text, each replaced by `shown` wherever it stands: the secret values a log
 * line must not hold (util/log-secrets.ts), a configuration's secrets in a problem's message
 * (util/secret-values.ts hideSecretValues), the access tokens Zoom echoes (zoom/hide-tokens.ts).
 * A value shorter than `min` is not hidden as it is (it could be a word of the message), only in
 * the forms `wrapped` gives of it, whatever their length (a short secret quoted whole: `"on"`).
 * Every form of every value is tried longest first, so that a value inside a longer one leaves
 * none of the longer one shown; the list is sorted once, when the values are set. Then a form of
 * hex digits only (a hex dump of a value, with or without blanks between its bytes, a value of hex
 * digits) in any case (`DeadBeef`), and each
 * value of `min` characters or more however it is escaped (util/escaped-text.ts: `a/b%20c` as
 * encodeURI writes `a/b c`, `p\u00e4ss` as a JSON writer that escapes every non-ASCII character
 * writes `päss`, and any mix of kept and escaped characters).
 */
export class HiddenValues {
  private forms: readonly Form[] = [];
  /** The forms of hex digits only, in lower case, longest first: looked for in any case. */
  private hexForms: readonly string[] = [];
  /** The values of `min` characters or more, longest first: looked for with the text's escapes read. */
  private values: readonly string[] = [];
  /** Their forms inside a longer base64 text (util/base64-forms.ts: `user:secret`), one search. */
  private base64: Base64Search | undefined;

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
    const longestFirst = (forms: Iterable<string>): string[] =>
      [...new Set(forms)].sort((a, b) => b.length - a.length);
    this.forms = longestFirst([...all].filter((f) => !HEX_ONLY.test(f)).map(upperEscapes)).map((form) => ({
      form,
      percent: form.includes('%'),
    }));
    this.hexForms = longestFirst([...all].filter((f) => HEX_ONLY.test(f)).map((f) => f.toLowerCase()));
    this.values = longestFirst([...values].filter((v) => v.length >= this.min));
    this.base64 = Base64Search.of(this.values.flatMap(base64Forms));
    return this;
  }

  /**
   * `text` with every form of every value in it replaced by `shown`: one search per form. Its
   * percent-escapes are read in either case (`%2f`, `%2F`, `%u00e4`: a server may write either,
   * and mix them in one value): where it has one in lower case, each form is looked for in its
   * copy with them in upper case, and replaced at the same place in it (the two are as long).
   */
  readonly hide = (text: string): string =>
    this.escaped(this.anyCaseHex(this.asForms(this.base64?.hide(text, this.shown) ?? text)));

  private asForms(text: string): string {
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
  }

  /**
   * `text` with each form of hex digits only in it, in any case (`deadbeef`, `DEADBEEF`, `DeadBeef`):
   * looked for in its copy in lower case, and replaced at the same place in it; then with the
   * separators of its runs of hex taken out (util/hex-runs.ts: `xxd` and `od -x` groups, `de:ad`,
   * `0xde, 0xad`, over lines), and placed back in it.
   */
  private anyCaseHex(text: string): string {
    if (!this.hexForms.length) return text;
    let lower = text.toLowerCase();
    // A character whose lower case is longer (`İ`): only A-F in lower case, as long as before.
    if (lower.length !== text.length) lower = text.replace(/[A-F]/g, (c) => c.toLowerCase());
    let out = text;
    for (const form of this.hexForms)
      if (lower.includes(form)) [out, lower] = replaceAt(out, lower, form, this.shown);
    const joined = hexJoined(out, this.hexForms.at(-1)!.length);
    if (!joined) return out;
    const spans = spansOf(
      joined.read.replace(/[A-F]/g, (c) => c.toLowerCase()),
      this.hexForms,
    );
    return spans.length
      ? replaceSpans(
          out,
          spans.map(([a, b]) => joined.span(a, b)),
          this.shown,
        )
      : out;
  }

  /**
   * `text` with each value in it however it is escaped, and escaped again and again, longest first:
   * in each reading of each chain of util/text-readings.ts (the first as stop 43 read a text; the
   * others, each with one more kind of escape, only for a text that holds one), a value found in
   * a reading placed back through each reading before it; and, in the first chain's readings, a
   * value's base64 inside a longer base64 text whose `+`, `/` or `=` are escaped (`%2B`, `&#x2F;`,
   * PHP's `\/`).
   */
  private escaped(text: string): string {
    if (!this.values.length) return text;
    const spans: [number, number][] = [];
    for (const [c, { readings, from }] of readingChains(text).entries())
      readings.forEach((reading, i) => {
        if (i < from) return;
        const found = this.spansIn(reading.read);
        // `%2B`, `&#x2F;`, `\/` are the first reading's escapes: base64 is looked for in its chain.
        if (this.base64 && c === 0) found.push(...this.base64.spans(reading.read));
        for (let span of found) {
          for (let j = i; j >= 0; j--) span = readings[j]!.span(...span);
          spans.push(span);
        }
      });
    return spans.length ? replaceSpans(text, spans, this.shown) : text;
  }

  /** Where each value stands in `read`, longest first, none inside another found before. */
  private spansIn(read: string): [number, number][] {
    return spansOf(read, this.values);
  }
}

/** Where each of `values` (longest first) stands in `read`, none inside another found before. */
function spansOf(read: string, values: readonly string[]): [number, number][] {
  const spans: [number, number][] = [];
  let taken: Uint8Array | undefined;
  for (const v of values) {
    for (let a = read.indexOf(v); a >= 0; a = read.indexOf(v, a + 1)) {
      taken ??= new Uint8Array(read.length);
      if (taken.subarray(a, a + v.length).includes(1)) continue;
      taken.fill(1, a, a + v.length);
      spans.push([a, a + v.length]);
    }
  }
  return spans;
}

/**
 * A form of hex digits only (a hex dump of a value: secretForms), of 12 at least (6 bytes), or
 * of their pairs with a blank between each (`73 65 63 72 65 74`).
 */
const HEX_ONLY = /^(?:[0-9a-f]{12,}|[0-9a-f]{2}(?: [0-9a-f]{2}){5,})$/i;

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
