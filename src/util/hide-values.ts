import { base64Forms, Base64Search } from './base64-forms.js';
import { EscapedText, mayHoldEscapes } from './escaped-text.js';
import { replaceSpans } from './replace-spans.js';
import { type Cut, SplicedText } from './spliced-text.js';

/**
 * Values to hide in a text, each replaced by `shown` wherever it stands: the secret values a log
 * line must not hold (util/log-secrets.ts), a configuration's secrets in a problem's message
 * (util/secret-values.ts hideSecretValues), the access tokens Zoom echoes (zoom/hide-tokens.ts).
 * A value shorter than `min` is not hidden as it is (it could be a word of the message), only in
 * the forms `wrapped` gives of it, whatever their length (a short secret quoted whole: `"on"`).
 * Every form of every value is tried longest first, so that a value inside a longer one leaves
 * none of the longer one shown; the list is sorted once, when the values are set. Then a form of
 * hex digits only (a hex dump of a value's UTF-8 or UTF-16 bytes, a value of hex digits) in any
 * case (`DeadBeef`) and with separators between its bytes or groups (`73 65`, `7365 6372`,
 * `73:65`, `0x73, 0x65`: hexJoined), and each value of `min` characters or more however it is
 * escaped (util/escaped-text.ts: `a/b%20c` as encodeURI writes `a/b c`, `p\u00e4ss` as a JSON
 * writer that escapes every non-ASCII character writes `päss`, and any mix of kept and escaped
 * characters), escaped again and again (readingsOf). Base64 first (util/base64-forms.ts), of its
 * UTF-8 and UTF-16 bytes.
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
   * `text` with each form of hex digits only in it, in any case (`deadbeef`, `DEADBEEF`, `DeadBeef`),
   * and with separators between its bytes or groups (hexJoined: `de ad`, `dead beef`, `de:ad`,
   * `0xde, 0xad`): looked for in its copy in lower case without them, and placed back in it.
   */
  private anyCaseHex(text: string): string {
    if (!this.hexForms.length) return text;
    const joined = hexJoined(text, this.hexForms.at(-1)!.length);
    const view = joined?.read ?? text;
    let lower = view.toLowerCase();
    // A character whose lower case is longer (`İ`): only A-F in lower case, as long as before.
    if (lower.length !== view.length) lower = view.replace(/[A-F]/g, (c) => c.toLowerCase());
    const spans = spansOf(lower, this.hexForms);
    if (!spans.length) return text;
    return replaceSpans(text, joined ? spans.map(([a, b]) => joined.span(a, b)) : spans, this.shown);
  }

  /**
   * `text` with each value in it however it is escaped (util/escaped-text.ts), longest first; and
   * escaped again and again (readingsOf: `%2541` for `A`, `%252541`, `&amp;#104;`), a value found
   * in a reading placed back through each reading before it.
   */
  private escaped(text: string): string {
    if (!this.values.length) return text;
    const readings = readingsOf(text);
    const spans: [number, number][] = [];
    readings.forEach((reading, i) => {
      for (let span of this.spansIn(reading.read)) {
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

/** A text read, and where its characters stand in the text it was read from. */
interface Reading {
  readonly read: string;
  span(from: number, to: number): [number, number];
}

/**
 * The readings of `text`, each of the one before (the text itself first): its escapes read while
 * it still holds one, MAX_READINGS times at most (`%25252541` for `A`, `&amp;#104;` inside
 * percent-encoding). The last of them first takes off every layer of percent-encoding left at
 * once (`%2525252541` read as `%41`: PERCENT_LAYERS), so that a value percent-encoded 5, 6 or 20
 * times is found too, and a line of escapes inside escapes costs MAX_READINGS + 1 passes at most.
 */
function readingsOf(text: string): Reading[] {
  const readings: Reading[] = [];
  let read = text;
  const readOnce = (): boolean => {
    const next = new EscapedText(read);
    // No escape read: the text as it is, whose values the forms found.
    if (next.read.length === read.length) return false;
    readings.push(next);
    read = next.read;
    return true;
  };
  while (readings.length < MAX_READINGS - 1 && mayHoldEscapes(read)) if (!readOnce()) return readings;
  if (!mayHoldEscapes(read)) return readings;
  const layers = read.includes('%25') ? SplicedText.replacing(read, PERCENT_LAYERS, '%') : undefined;
  if (layers?.changed) {
    readings.push(layers);
    read = layers.read;
  }
  readOnce();
  return readings;
}

/** How many times a text is read for escapes (`%25252541` for `A`: four). */
const MAX_READINGS = 4;

/** A percent-escape inside layers of percent-encoding (`%2525` before `41`): read as one `%`. */
const PERCENT_LAYERS = /%(?:25)+(?=[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4})/g;

/**
 * `text` without the separators between the hex digits of its runs of hex (`de ad` and `dead beef`
 * as `xxd` groups bytes, `de:ad`, `de-ad`, `0xde 0xad`, `0xde, 0xad`, a dump's lines) of `min`
 * characters or more, or undefined when it has none: where a hex dump of a value is looked for.
 */
function hexJoined(text: string, min: number): SplicedText | undefined {
  const read = text.replace(HEX_RUN, (run) => (run.length < min ? run : run.replace(HEX_SEPARATOR, '')));
  return read.length === text.length ? undefined : new SplicedText(text, read, () => hexCuts(text, min));
}

/** The separators hexJoined takes out of `text`, in order. */
function* hexCuts(text: string, min: number): Generator<Cut> {
  for (const run of text.matchAll(HEX_RUN)) {
    if (run[0].length < min) continue;
    for (const s of run[0].matchAll(HEX_SEPARATOR))
      yield [run.index + s.index, run.index + s.index + s[0].length, ''];
  }
}

/** Between two groups of hex digits: a blank or a few, `:`, `,`, `-`, a line's end; then a `0x`. */
const SEPARATOR = '(?:[:,-] {0,4}|,?\\r?\\n {0,4}| {1,4})(?:0[xX])?';
/**
 * A run of groups of 2 hex digits or more, each a word alone, with separators between them (the
 * groups' characters are none of a separator's: a run is read one way, in linear time).
 */
const HEX_RUN = new RegExp(`\\b(?:0[xX])?[0-9a-fA-F]{2,}(?:${SEPARATOR}[0-9a-fA-F]{2,})+\\b`, 'g');
const HEX_SEPARATOR = new RegExp(SEPARATOR, 'g');

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
