import { base64Forms, Base64Search } from './base64-forms.js';
import { hexJoined } from './hex-runs.js';
import { joinedSpans, replaceSpans } from './replace-spans.js';
import { type Cut, SplicedText } from './spliced-text.js';
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
   * copy with them in upper case (the two are as long). Every search reads `text` as it is, and
   * what they all found is replaced at once: when each replaced what it found before the next
   * read the text, a shorter value's form inside a longer value's escaped form was hidden first,
   * and the longer one was then not found whole (rA45 F2: `my&#32;pw&#32;7300...` for the secret
   * `my pw 7300...` beside `secret`, whose UTF-16 hex `7300...` is, showed `my&#32;pw&#32;`). The
   * values' escaped forms are also looked for in the text with the forms found replaced, as stop
   * 44 read it: a form found is no part of an escape before it there (`&#98` before a value's
   * digits is `b`, not `&#98` and the digits).
   */
  readonly hide = (text: string): string => {
    const found = [...(this.base64?.spans(text) ?? []), ...this.formSpans(text), ...this.hexSpans(text)];
    const spans = [...found, ...this.escapedSpans(text)];
    if (found.length) {
      const cuts = joinedSpans(found).map(([a, b]): Cut => [a, b, this.shown]);
      const replaced = new SplicedText(text, replaceSpans(text, found, this.shown), () => cuts);
      for (const span of this.escapedSpans(replaced.read)) spans.push(replaced.span(...span));
    }
    return spans.length ? replaceSpans(text, spans, this.shown) : text;
  };

  private formSpans(text: string): [number, number][] {
    const percent = text.includes('%');
    const norm = percent && LOWER_ESCAPE.test(text) ? upperEscapes(text) : text;
    const spans: [number, number][] = [];
    // A form with a `%` is not looked for in a text without one.
    for (const f of this.forms) if (!f.percent || percent) spansAt(norm, f.form, spans);
    return spans;
  }

  /**
   * Where each form of hex digits only stands in `text`, in any case (`deadbeef`, `DEADBEEF`,
   * `DeadBeef`): looked for in its copy in lower case; and in it with the separators of its runs
   * of hex taken out (util/hex-runs.ts: `xxd` and `od -x` groups, `de:ad`, `0xde, 0xad`, over
   * lines), placed back in it.
   */
  private hexSpans(text: string): [number, number][] {
    if (!this.hexForms.length) return [];
    let lower = text.toLowerCase();
    // A character whose lower case is longer (`İ`): only A-F in lower case, as long as before.
    if (lower.length !== text.length) lower = text.replace(/[A-F]/g, (c) => c.toLowerCase());
    const spans: [number, number][] = [];
    for (const form of this.hexForms) spansAt(lower, form, spans);
    const joined = hexJoined(text, this.hexForms.at(-1)!.length);
    if (joined)
      for (const [a, b] of spansOf(
        joined.read.replace(/[A-F]/g, (c) => c.toLowerCase()),
        this.hexForms,
      ))
        spans.push(joined.span(a, b));
    return spans;
  }

  /**
   * Where each value stands in `text` however it is escaped, and escaped again and again, longest first:
   * in each reading of each chain of util/text-readings.ts (the first as stop 43 read a text; the
   * others, each with one more kind of escape, only for a text that holds one), a value found in
   * a reading placed back through each reading before it; and, in the first chain's readings, a
   * value's base64 inside a longer base64 text whose `+`, `/` or `=` are escaped (`%2B`, `&#x2F;`,
   * PHP's `\/`).
   */
  private escapedSpans(text: string): [number, number][] {
    if (!this.values.length) return [];
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
    return spans;
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

/**
 * Pushes to `spans` where `form` stands in `text`, at each place it starts (overlapping places
 * too): one that overlaps the span pushed last widens it, so a text of one form over and over
 * (`616161...` for `aaaaaa`) is one span, not one a character.
 */
function spansAt(text: string, form: string, spans: [number, number][]): void {
  for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
    const last = spans.at(-1);
    if (last && at >= last[0] && at <= last[1]) last[1] = Math.max(last[1], at + form.length);
    else spans.push([at, at + form.length]);
  }
}

/** `text` with each of `values` (those of `min` characters or more, and their `wrapped` forms) replaced by `shown`, longest first. */
export const hideValues = (
  text: string,
  values: Iterable<string>,
  shown: string,
  min: number,
  wrapped?: (value: string) => readonly string[],
): string => new HiddenValues(shown, min, wrapped, values).hide(text);
