import { isProblemMessage, saysAbsent, saysState } from './problem-words.js';
import { isLineEnd, mayClose } from './line-quotes.js';
import { isBlank, unquotedValueEnd, valueEnd } from './value-ends.js';
import { UrlEnds, beforeSentenceMarks } from './url-ends.js';

/** What stands in a message for a hidden secret. */
export const REDACTED = '[redacted]';

/**
 * The last word of a key that names a secret (`password`, `pwd`, `passphrase`, `client_secret`,
 * `clientSecret`, `access_token`, `Proxy-Authorization`, `x-api-key`, `API key`, `private_key`,
 * `sig`...). Literal words only: every start tries each once.
 */
const SECRET_WORD =
  /passphrase|passcode|password|passwd|pwd|secret|token|authorization|api[_ -]?key|private[_-]?key|signature|sig/gi;

/** What joins a key to its value: `=` or `:`, in their ASCII or full-width forms (`password：x`). */
const isEquals = (c: string | undefined): boolean => c === '=' || c === '\uff1d';
const isColon = (c: string | undefined): boolean => c === ':' || c === '\uff1a';

const isKeyChar = (c: string | undefined): boolean => c !== undefined && /[\w-]/.test(c);
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

/**
 * Where the key whose last word starts at `word` starts: the `[\w-]` run before it back to `from`
 * at most (the previous value's end), or that word when none stands before it; and whether the
 * word is stuck to the letters or digits before it (`kkkktoken`, `csrftoken`, not `client_secret`,
 * `x-api-key` nor a change of case, `clientSecret`). Called only for a word that ends its key, so
 * each run is walked once.
 */
function keyStart(text: string, word: number, from: number): { start: number; glued: boolean } {
  const prev = text[word - 1];
  if (!isKeyChar(prev) || word <= from) return { start: word, glued: false };
  const camel = /[A-Z]/.test(text.charAt(word)) && /[a-z0-9]/.test(prev!);
  let i = word - 1;
  while (i > from && isKeyChar(text[i - 1])) i--;
  return { start: i, glued: prev !== '_' && prev !== '-' && !camel };
}

/** Where a secret's value starts, where its key does, and whether it follows a bare `key:`. */
interface ValueStart {
  at: number;
  key: number;
  bare: boolean;
  /** Its key is quoted as JSON inside a JSON string (`\"token\":`). */
  escaped: boolean;
}

/**
 * The quotes around the key `start`..`end` (its last word ends at `end`): the lengths of its
 * opening and of its closing quote. `"token":` 1 and 1; a JSON text inside a JSON string,
 * `{\"token\":…}`, 2 and 2; a text cut short before the key, `password": "x"` at its start or
 * after a blank, 0 and 1 (the quote that closes it, then `:`, says it is a key all the same); an
 * unquoted key 0 and 0. A quote
 * not closed after the word opens a text the key is in (`said "password: hunter2 is wrong"`),
 * which is read as an unquoted key.
 */
function keyQuotes(text: string, start: number, end: number): { open: number; close: number } {
  const close = text[end] === '\\' ? 2 : 1;
  const quote = text[end + close - 1];
  if (quote !== '"' && quote !== "'") return { open: 0, close: 0 };
  if (text[start - 1] === quote && (close === 1 || text[start - 2] === '\\')) return { open: close, close };
  // Cut before the key: the text starts there or a blank stands before it. A path's or a URL's
  // last word before its closing quote is none (`"https://zoom.us/oauth/token": ECONNREFUSED`).
  return start === 0 || isSpace(text[start - 1]) ? { open: 0, close } : { open: 0, close: 0 };
}

/**
 * Where a secret value starts after the secret word at `word`..`end`, or undefined when no value
 * follows: the key then `=` (`password=`, `"token" = `), a quoted key then `:` (a JSON
 * `"secret": `), or an unquoted key then `:` (`password: x` in a library's message,
 * `authorization: Bearer x` as headers are written, util.inspect's `{ token: 'x' }`). An
 * unquoted key with `:` counts only where a key starts a field: not after a `.` or a `/` (a
 * setting's path, `notifiers[0].password: found a number (not shown…)`; a URL's
 * `/oauth/token: 401`) nor after a config problem's `file:line:col: ` (which shows no value),
 * nor right after `${` (a variable's name, `${CLIENT_SECRET:-default}`).
 */
function valueStart(text: string, word: number, end: number, from: number): ValueStart | undefined {
  if (isKeyChar(text[end])) return undefined;
  const { start, glued } = keyStart(text, word, from);
  const quote = keyQuotes(text, start, end);
  const before = text[start - 1 - quote.open];
  if (isKeyChar(before)) return undefined;
  // `${ZOOM_CLIENT_SECRET:-default}`: a variable's name in a config value, not a key with a value.
  if (!quote.close && before === '{' && text[start - 2] === '$') return undefined;
  let i = end + quote.close;
  while (isSpace(text[i])) i++;
  const field =
    quote.close > 0 ||
    (before !== '.' && before !== '/' && !/:\d+:\d+:\s*$/.test(text.slice(Math.max(0, start - 24), start)));
  if (!isEquals(text[i]) && !(isColon(text[i]) && field)) return undefined;
  // A value may start on the next line after `=` or a quoted key's `:`, not after a bare `key:`.
  const bare = isColon(text[i]) && !quote.close;
  // A word stuck to letters is a key before `=` or as a quoted key (`kkkktoken=x`,
  // `"csrftoken": "x"`); before a bare `:` it stays a word of the text (`mytoken: kept`).
  if (glued && bare) return undefined;
  const skip = bare ? isBlank : isSpace;
  for (i++; skip(text[i]);) i++;
  return { at: i, key: start, bare, escaped: quote.close === 2 };
}

/** The closer of each opener a bare `key:`'s value may stand in (openBefore). */
const CLOSERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}', '"': '"' };

/**
 * The bracket or double quote that is open at `key` on its line (`{ token: `, `"password: `),
 * looked for back to `floor` at most (text already looked at is not walked again), or undefined.
 */
function openBefore(text: string, key: number, floor: number): string | undefined {
  let depth = 0;
  let quotes = 0;
  let opener: string | undefined;
  let lastQuote = -1;
  let at = -1;
  for (let i = key - 1; i >= floor && !isLineEnd(text[i]); i--) {
    const c = text[i]!;
    if (c === '"') {
      quotes++;
      if (lastQuote < 0) lastQuote = i;
    } else if (c === ')' || c === ']' || c === '}') depth++;
    else if ((c === '(' || c === '[' || c === '{') && depth-- === 0 && at < 0) [opener, at] = [c, i];
  }
  // An odd count of quotes before the key: the key is inside a quoted text, opened at lastQuote.
  if (quotes % 2 === 1 && lastQuote > at) return '"';
  return opener;
}

/**
 * Whether the value at `start` was hidden already (the text was redacted before): `[redacted]`
 * where this code ends a value: before what may follow a closing quote (util/line-quotes.ts
 * mayClose: a `,` or `;`, a `&` that a query string's next pair or nothing follows, a mark or
 * closer before a blank, `[redacted]. Retry`, `{"password":[redacted]}`), before a quote, before a `\"` after a key quoted as JSON inside a JSON string, before blanks
 * then the line's end or `closer` (a bare `key:`'s), or before blanks after a `key=`'s. Taken for
 * a value, it grew at each pass (`{"password":[redacted]}` lost its `}`, as an unquoted value runs
 * to the line's end). Anything else after it is read as any value is: `password=[redacted].SEKRIT`
 * is hidden whole, as `password=abc.SEKRIT` is (it was taken for hidden already, SEKRIT shown).
 */
function hiddenAlready(text: string, start: ValueStart, closer: string | undefined): boolean {
  const { at: from, bare } = start;
  if (!text.startsWith(REDACTED, from)) return false;
  let i = from + REDACTED.length;
  // A quote (a URL's or a bracket's closing one: `"…token=[redacted]", bad`, `"…:[redacted]""`);
  // a mark, closer or `&` as after a closing quote (mayClose: `[redacted], x`, `[redacted]).`,
  // `[redacted]&x=1`, not `[redacted].SEKRIT`).
  const c = text.charAt(i);
  if (/["'`]/.test(c)) return quotesClose(text, i);
  // JSON inside a JSON string: its value ends before a `\"` too (`\":[redacted]\"}`).
  if (c === '\\' && start.escaped) return true;
  if (c && !/\s/.test(c)) return mayClose(text, i - 1);
  while (isBlank(text[i])) i++;
  if (i === text.length || isLineEnd(text[i]) || text[i] === closer) return true;
  // After `key=`, blanks end it: a quoted value hidden whole (`password="a b" rest` is
  // `password=[redacted] rest`, which was hidden to the line's end at the next pass) or one before
  // a `key=`. After a bare `key:`, a value may hold blanks (`token: [redacted] SEKRIT`).
  return !bare && i > from + REDACTED.length;
}

/**
 * Whether the quotes at `at` after a `[redacted]` (one, or up to three with backslashes:
 * `[redacted]"`, `[redacted]""`, `[redacted]\\"`) close it: what follows them may follow a
 * closing quote (mayClose). `password=[redacted]"SEKRIT` is no hidden value before a quote but a
 * value that holds one, hidden whole (SEKRIT was shown).
 */
function quotesClose(text: string, at: number): boolean {
  let j = at;
  while (j < at + 3 && /["'`\\]/.test(text.charAt(j))) j++;
  return j === text.length || mayClose(text, j - 1);
}

/**
 * The key words of a signature (`signature`, `X-Hub-Signature`, `sig`): its value is a digest (hex,
 * base64), never words, so words after it say its state (util/problem-words.ts saysState).
 */
const SIGNATURE = /^sig(?:nature)?$/i;

/**
 * A signature's value (`start`..`end`): kept when it says the signature's state (`valid`, `"ok"`),
 * else hidden. A quoted state that a blank and more text follow on its line (`signature: "valid"
 * deadbeef`, `sig="ok" DEADbeef`) is read as the unquoted value it starts would be (to the
 * line's end or the next ` key=`): kept if all of it says a state, else hidden whole, as the
 * digest may follow the state (the old reading showed `deadbeef`).
 */
function signatureValue(
  text: string,
  start: ValueStart,
  end: number,
  closer: string | undefined,
  limit: number,
): { end: number; kept: boolean } {
  const from = start.at;
  if (!saysState(text.slice(from, end))) return { end, kept: false };
  if (!/["'`]/.test(text.charAt(from)) || !isBlank(text[end])) return { end, kept: true };
  const whole = unquotedValueEnd(text, from, start.bare, closer, limit);
  if (!/\S/.test(text.slice(end, whole))) return { end, kept: true };
  return { end: whole, kept: saysState(text.slice(from, whole).replace(/["'`]/g, '')) };
}

/**
 * Where the value at `start` ends (valueEnd, at `limit` at the latest), and whether it was hidden
 * already: hiddenAlready, or a `[redacted]` that `limit` or a closer cuts short (a bare URL's blank
 * after `[x https://h/#token:[redacted] y`, whose `]` was taken for the closer).
 */
function valueExtent(
  text: string,
  start: ValueStart,
  closer: string | undefined,
  limit: number,
): { end: number; hidden: boolean } {
  const from = start.at;
  const whole = { end: from + REDACTED.length, hidden: true };
  if (hiddenAlready(text, start, closer)) return whole;
  const end = valueEnd(text, from, start.bare ? 'line' : start.escaped ? 'escaped' : 'pair', closer, limit);
  return end <= whole.end && text.startsWith(REDACTED, from) ? whole : { end, hidden: false };
}

/** A word that says what is wrong with a secret: `Invalid password: wrong length` is a message, not a key and its value. */
const PROBLEM =
  /^(?:bad|empty|expired|incorrect|invalid|malformed|missing|rejected|revoked|unknown|unsupported|weak|wrong)$/i;

/**
 * Whether a bare `key:`'s value (`from`..`end`) is a message about the secret and not the secret:
 * the key follows a word of PROBLEM (`Invalid password:`), and the value is words of a message
 * about a secret (util/problem-words.ts: `wrong length`). Anything else stays hidden:
 * `Invalid token: eyJhbGciOi`, `Invalid password: correct horse battery` (words of no such
 * message), `password: wrong length` (no problem named).
 * Looks back no further than `floor` and over 13 letters at most.
 */
function describesProblem(text: string, key: number, from: number, end: number, floor: number): boolean {
  let i = key;
  while (i > floor && isBlank(text[i - 1])) i--;
  if (i === key) return false;
  let w = i;
  while (w > floor && w > i - 14 && /[a-z]/i.test(text[w - 1]!)) w--;
  if (/[a-z]/i.test(text.charAt(w - 1)) || !PROBLEM.test(text.slice(w, i))) return false;
  return isProblemMessage(text.slice(from, end));
}

/**
 * The text with the value of every secret `key=value` (`password=...`, `token="..."`,
 * `client_secret: ...`, a JSON `"secret_token": "..."`) and of every `authorization: …` header
 * replaced by `[redacted]`. A secret word without a value (`password reset failed`) stays.
 * Linear in the text: literal words found by one regex, then plain loops that never walk back
 * over text already walked.
 */
export function redactSecretPairs(text: string): string {
  let out = '';
  let done = 0;
  // How far back openBefore may look: past neither a value nor a key already looked at.
  let floor = 0;
  const urls = new UrlEnds(text);
  SECRET_WORD.lastIndex = 0;
  for (let m = SECRET_WORD.exec(text); m; m = SECRET_WORD.exec(text)) {
    const start = valueStart(text, m.index, m.index + m[0].length, done);
    if (!start) continue;
    const from = start.at;
    const closer = start.bare ? CLOSERS[openBefore(text, m.index, Math.max(done, floor)) ?? ''] : undefined;
    floor = from;
    // A value in a URL ends at the URL's end at the latest (its closing quote, or the blank after a
    // bare one, before the sentence's marks: `…?token=S, retry`).
    const url = urls.around(start.key);
    const limit = url && url.end > from ? url.end : text.length;
    const extent = valueExtent(text, start, closer, limit);
    const { hidden } = extent;
    let end =
      url?.bare && !hidden && extent.end === limit
        ? beforeSentenceMarks(text, from, limit, url.closer)
        : extent.end;
    if (end === from) continue;
    // Hidden already, a message's words (`Invalid password: wrong length`, `secret: not set`) or a
    // signature's state (`config signature: valid`): kept as they are.
    const value = text.slice(from, end);
    let kept =
      hidden || (start.bare && (saysAbsent(value) || describesProblem(text, start.key, from, end, done)));
    if (!kept && SIGNATURE.test(m[0])) ({ end, kept } = signatureValue(text, start, end, closer, limit));
    out += kept ? text.slice(done, end) : `${text.slice(done, from)}${REDACTED}`;
    done = end;
    SECRET_WORD.lastIndex = end;
  }
  return out + text.slice(done);
}
