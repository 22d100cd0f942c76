import { replaceSpans } from './replace-spans.js';
import { UnwrappedText } from './unwrapped-text.js';

/**
 * A secret inside a base64 text that holds more than it: an HTTP Basic credential is the base64
 * of `user:secret`, so the secret's bytes start at any of the three places in a group of three
 * bytes that base64 writes as four characters, and its own base64 (secretForms) is not in it.
 * For each of the three alignments, the characters that only the secret's bits write (its core)
 * are the same whatever stands before and after it: the cores are looked for, and a core is the
 * secret's where the characters on each side of it that write the secret's first and last bits
 * with others' write the secret's ones (so every bit of the secret is compared, a 6-byte secret's
 * too, whose core is 7 characters). It is hidden with the groups of four that hold any of its
 * bits (and the `=` padding after them), in base64 and base64url, padded or not, and wrapped
 * over lines (util/unwrapped-text.ts: MIME's 76 columns).
 */

/** A secret's core at one alignment, and what stands on each side of it. */
export interface Base64Form {
  core: string;
  /** The characters the one before the core may be (it writes the secret's first bits), or undefined: none. */
  before: string | undefined;
  /** The characters the one after it may be (it writes its last bits), or undefined: none. */
  after: string | undefined;
  /** How many characters of the groups that hold the secret's bits stand before the core, and after it. */
  groupsBefore: number;
  groupsAfter: number;
}

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = `${STANDARD.slice(0, 62)}-_`;

/** The characters of both alphabets that write a 6-bit value `v` with the same `mask` bits as `value`. */
function sameBits(value: number, mask: number): string {
  let out = '';
  for (let v = 0; v < 64; v++) if ((v & mask) === (value & mask)) out += STANDARD[v]! + URL_SAFE[v]!;
  return [...new Set(out)].join('');
}

/** The forms of `bytes` (6 or more) starting `skip` bytes into a group of three. */
function formsAt(bytes: Buffer, skip: number): Base64Form[] {
  const [from, to] = [8 * skip, 8 * (skip + bytes.length)];
  const written = Buffer.concat([Buffer.alloc(skip), bytes, Buffer.alloc(2)]).toString('base64');
  const [first, end] = [Math.ceil(from / 6), Math.floor(to / 6)];
  const value = (k: number): number => STANDARD.indexOf(written[k]!);
  const lowBits = 6 * first - from;
  const highBits = to - 6 * end;
  const before = lowBits ? sameBits(value(first - 1), (1 << lowBits) - 1) : undefined;
  const after = highBits ? sameBits(value(end), ((1 << highBits) - 1) << (6 - highBits)) : undefined;
  const firstChar = before === undefined ? first : first - 1;
  const lastChar = after === undefined ? end - 1 : end;
  const groupsBefore = first - 4 * Math.floor(firstChar / 4);
  const groupsAfter = 4 * Math.floor(lastChar / 4) + 4 - end;
  const core = written.slice(first, end);
  const urlCore = core.replaceAll('+', '-').replaceAll('/', '_');
  return [...new Set([core, urlCore])].map((c) => ({ core: c, before, after, groupsBefore, groupsAfter }));
}

/**
 * The forms of the secret `value` inside a base64 text, at each alignment, in both alphabets: of
 * its UTF-8 bytes, and of its UTF-16 ones, little- and big-endian (a Windows client's or a .NET
 * server's text, with or without its byte order mark before it: utf16Bytes).
 */
export function base64Forms(value: string): Base64Form[] {
  const bytes = Buffer.from(value, 'utf8');
  // A shorter secret is hidden by its own forms only (util/log-secrets.ts MIN_LOG_SECRET).
  if (bytes.length < 6) return [];
  return [bytes, ...utf16Bytes(value)].flatMap((b) => [0, 1, 2].flatMap((skip) => formsAt(b, skip)));
}

/** `value`'s UTF-16 bytes, little-endian then big-endian. */
export function utf16Bytes(value: string): [Buffer, Buffer] {
  const le = Buffer.from(value, 'utf16le');
  return [le, Buffer.from(le).swap16()];
}

const isBase64Char = (c: number): boolean =>
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  (c >= 48 && c <= 57) ||
  c === 43 ||
  c === 47 ||
  c === 45 ||
  c === 95;

/** `at` moved back over at most `n` base64 characters of `text`. */
function back(text: string, at: number, n: number): number {
  let i = at;
  while (i > at - n && i > 0 && isBase64Char(text.charCodeAt(i - 1))) i--;
  return i;
}

/** `at` moved on over at most `n` base64 characters of `text`, then its `=` padding (2 at most). */
function on(text: string, at: number, n: number): number {
  let i = at;
  while (i < at + n && i < text.length && isBase64Char(text.charCodeAt(i))) i++;
  for (let pad = 0; pad < 2 && text[i] === '='; pad++) i++;
  return i;
}

/** Whether `form` stands at `at` in `text`, with the characters it needs on each side. */
const standsAt = (text: string, at: number, form: Base64Form): boolean =>
  text.startsWith(form.core, at) &&
  (form.before === undefined || (at > 0 && form.before.includes(text[at - 1]!))) &&
  (form.after === undefined ||
    (at + form.core.length < text.length && form.after.includes(text[at + form.core.length]!)));

/**
 * One search for every form of `forms` (base64Forms of every value): the alternation of their
 * cores, longest first, which the regular expression engine looks for in one pass (a search per
 * form cost more than the rest of a log line's hiding); undefined when there is none.
 */
export class Base64Search {
  private readonly search: RegExp;
  private readonly byCore = new Map<string, Base64Form[]>();

  private constructor(private readonly forms: readonly Base64Form[]) {
    for (const f of forms) this.byCore.set(f.core, [...(this.byCore.get(f.core) ?? []), f]);
    const longestFirst = [...this.byCore.keys()].sort((a, b) => b.length - a.length);
    this.search = new RegExp(longestFirst.map((c) => c.replace(/[+/]/g, '\\$&')).join('|'), 'g');
  }

  static of(forms: readonly Base64Form[]): Base64Search | undefined {
    return forms.length ? new Base64Search(forms) : undefined;
  }

  /** `text` with each form found hidden as `shown` with the groups that hold its bits; its breaks read past. */
  hide(text: string, shown: string): string {
    const spans = this.spans(text);
    return spans.length ? replaceSpans(text, spans, shown) : text;
  }

  /** Where each form found in `text` stands, with the groups that hold its bits; its breaks read past. */
  spans(text: string): [number, number][] {
    const unwrapped = UnwrappedText.wrapped(text) ? new UnwrappedText(text) : undefined;
    const spans = this.spansIn(unwrapped?.text ?? text);
    return unwrapped ? spans.map(([a, b]) => unwrapped.span(a, b)) : spans;
  }

  private spansIn(text: string): [number, number][] {
    const spans: [number, number][] = [];
    this.search.lastIndex = 0;
    for (let m = this.search.exec(text); m; m = this.search.exec(text)) {
      const at = m.index;
      // Another core may stand here where the longest found has not the characters it needs around it.
      const form =
        this.byCore.get(m[0])!.find((f) => standsAt(text, at, f)) ??
        this.forms.find((f) => standsAt(text, at, f));
      if (!form) {
        this.search.lastIndex = at + 1;
        continue;
      }
      const end = at + form.core.length;
      spans.push([back(text, at, form.groupsBefore), on(text, end, form.groupsAfter)]);
    }
    return spans;
  }
}
