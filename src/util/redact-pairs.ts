/** What stands in a message for a hidden secret. */
export const REDACTED = '[redacted]';

/**
 * The last word of a key that names a secret (`password`, `client_secret`, `access_token`,
 * `Proxy-Authorization`, `x-api-key`...). Literal words only: every start tries each once.
 */
const SECRET_WORD = /password|passwd|secret|token|authorization|api[_-]?key/gi;

const isKeyChar = (c: string | undefined): boolean => c !== undefined && /[\w-]/.test(c);
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
const isLineEnd = (c: string | undefined): boolean => c === '\n' || c === '\r';

/**
 * Where the key whose last word starts at `word` starts: that word, or the `[\w-]` run before it
 * when a `_` or `-` joins them (`client_secret`, `x-api-key`), back to `from` at most (the
 * previous value's end). Called only for a word that ends its key, so each run is walked once.
 */
function keyStart(text: string, word: number, from: number): number {
  if (text[word - 1] !== '_' && text[word - 1] !== '-') return word;
  let i = word - 1;
  while (i > from && isKeyChar(text[i - 1])) i--;
  return i;
}

/** Where a secret's value starts, and whether it follows a bare `key:` (whose value is one token). */
interface ValueStart {
  at: number;
  bare: boolean;
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
  const start = keyStart(text, word, from);
  const quote = text[start - 1] === '"' || text[start - 1] === "'" ? text[start - 1]! : '';
  const before = text[start - 1 - quote.length];
  if (isKeyChar(before) || (quote && text[end] !== quote)) return undefined;
  // `${ZOOM_CLIENT_SECRET:-default}`: a variable's name in a config value, not a key with a value.
  if (!quote && before === '{' && text[start - 2] === '$') return undefined;
  let i = end + quote.length;
  while (isSpace(text[i])) i++;
  const field =
    quote !== '' ||
    (before !== '.' && before !== '/' && !/:\d+:\d+:\s*$/.test(text.slice(Math.max(0, start - 24), start)));
  if (text[i] !== '=' && !(text[i] === ':' && field)) return undefined;
  // A value may start on the next line after `=` or a quoted key's `:`, not after a bare `key:`.
  const bare = text[i] === ':' && !quote;
  const skip = bare ? isBlank : isSpace;
  for (i++; skip(text[i]);) i++;
  return { at: i, bare };
}

/**
 * Where an unquoted value starting at `from` ends: at the line's end, a `&` (a query string's
 * next pair) or white space before the next `key=`. One pass: each white-space run is looked
 * past once (a regex `\s+[\w.-]+=` tried at every blank of a long run was quadratic: 9 s for a
 * value followed by 100,000 spaces).
 */
function unquotedEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\r' || c === '\n' || c === '&') return i;
    if (!/\s/.test(c)) {
      i++;
      continue;
    }
    let j = i;
    let newline = -1;
    while (j < text.length && /\s/.test(text[j]!)) {
      if (newline < 0 && (text[j] === '\n' || text[j] === '\r')) newline = j;
      j++;
    }
    let k = j;
    while (k < text.length && /[\w.-]/.test(text[k]!)) k++;
    if (k > j && text[k] === '=') return i;
    if (newline >= 0) return newline;
    i = k;
  }
  return text.length;
}

/**
 * How far an unquoted value goes: after `key=`, to the line's end, a `&` or the next ` key=`
 * (unquotedEnd: a `password=pa ss` is hidden whole); after a bare `key:` (a library's
 * `Invalid password: wrong length for field foo`), one token, to white space, a comma or a quote;
 * after a bare `authorization:` (a header as headers are written), the line: a header's value is
 * all of it (`Bearer xyz`, `Digest username="u", response="…"`).
 */
type Extent = 'pair' | 'token' | 'line';

/** Where the unquoted value starting at `from` ends: at white space, a comma, a quote or the end. */
function tokenEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && !/[\s,"'`]/.test(text[i]!)) i++;
  return i;
}

/** Where the value starting at `from` ends: a quoted one at its closing quote (a backslash escapes one), else as `extent` says. */
function valueEnd(text: string, from: number, extent: Extent): number {
  const quote = text[from];
  if (quote === '"' || quote === "'" || quote === '`') {
    for (let i = from + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === quote) return i + 1;
      else if (text[i] === '\n') return i;
    }
    return text.length;
  }
  if (extent === 'token') return tokenEnd(text, from);
  if (extent === 'pair') return unquotedEnd(text, from);
  let i = from;
  while (i < text.length && !isLineEnd(text[i])) i++;
  return i;
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
  SECRET_WORD.lastIndex = 0;
  for (let m = SECRET_WORD.exec(text); m; m = SECRET_WORD.exec(text)) {
    const start = valueStart(text, m.index, m.index + m[0].length, done);
    if (!start) continue;
    const from = start.at;
    const extent = !start.bare ? 'pair' : m[0].toLowerCase() === 'authorization' ? 'line' : 'token';
    const end = valueEnd(text, from, extent);
    if (end === from) continue;
    out += `${text.slice(done, from)}${REDACTED}`;
    done = end;
    SECRET_WORD.lastIndex = end;
  }
  return out + text.slice(done);
}
