/** What stands in a message for the `user:password` of a URL. */
export const REDACTED_USERINFO = '[redacted]';

/**
 * `scheme://user:password@host` anywhere in a text: the scheme, then everything up to the last
 * `@` on the same line, before the next URL's `://`, that a host name or `[` address follows. In
 * free text a URL's end is not known and a password may hold anything (a space, a quote, `/`,
 * `@`): hiding too much (a later `user@host` on the line) is the safe side. A `://` in the
 * password (`http://u:pa://ss@h`) is taken as part of it when neither a space nor a `/` stands
 * between it and the scheme's `://` (a URL's host is followed by one of them, or by its end): the
 * match started again at `pa://` and showed `u:pa`. Up to three of them: unbounded, a line of
 * 20,000 `a://` took 6.5 s (each start tried every count); bounded, 20 ms as before. One with a
 * space before its `://`, or a fourth, still shows what stands before it.
 */
const USERINFO =
  /\b(?!file:)([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/]*?:\/\/){0,3}(?:(?!:\/\/)[^\r\n])*@(?=[\p{L}\p{N}[])/giu;

/**
 * `key=value` (or `"key": value`) whose key names a secret (`password=`, `client_secret=`,
 * `access_token=`, `authorization=`...): the key, then where its value starts.
 */
const SECRET_PAIR =
  /(?<![\w-])(["']?)((?:[\w-]*[_-])?(?:password|passwd|secret|token|authorization|api[_-]?key))\1(\s*=\s*|(?<=["'])\s*:\s*)/gi;

/**
 * An HTTP `Authorization:` (or `Proxy-Authorization:`) header written as headers are, the name
 * unquoted (`authorization: Bearer xyz`, util.inspect's `{ authorization: 'Bearer xyz' }`): the
 * name, then where its value starts. Not after a `.` (a setting's path in a config problem,
 * `notifiers[0].headers.Authorization: found a string (not shown: …)`, shows no value).
 */
const AUTH_HEADER = /(?<![\w.-])((?:proxy-)?authorization)(\s*:[ \t]*)/gi;

/**
 * Where the value starting at `from` ends: a quoted one at its closing quote (a backslash
 * escapes one), else at the line's end, a `&` (a query string's next pair) or white space
 * before the next `key=`. An unquoted value with a space in it is hidden up to there.
 */
function valueEnd(text: string, from: number): number {
  const quote = text[from];
  if (quote === '"' || quote === "'" || quote === '`') {
    for (let i = from + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === quote) return i + 1;
      else if (text[i] === '\n') return i;
    }
    return text.length;
  }
  const rest = /[\r\n&]|\s+[\w.-]+=/.exec(text.slice(from));
  return rest ? from + rest.index : text.length;
}

/** The text with the value after each match of `pair` (a key and its `=` or `:`) replaced by `[redacted]`. */
function redactPairs(text: string, pair: RegExp): string {
  let out = '';
  let done = 0;
  pair.lastIndex = 0;
  for (let m = pair.exec(text); m; m = pair.exec(text)) {
    const from = m.index + m[0].length;
    if (m.index < done) continue;
    const end = valueEnd(text, from);
    if (end === from) continue;
    out += `${text.slice(done, from)}${REDACTED_USERINFO}`;
    done = end;
    pair.lastIndex = end;
  }
  return out + text.slice(done);
}

/**
 * The text with the credentials of every URL in it (`http://user:password@host/`) replaced by
 * `[redacted]` (`http://[redacted]@host/`), and the value of every secret `key=value`
 * (`password=...`, `token="..."`) and of every `authorization: …` header too. Every message that can echo a configured URL or value
 * goes through it: the command line's error output (main.ts) and the daemon's log
 * (util/logger.ts); a config problem's echo of a value goes through redactUrlValue
 * (util/yaml-file.ts).
 */
export function redactUrlCredentials(text: string): string {
  return redactPairs(redactPairs(text, SECRET_PAIR), AUTH_HEADER).replace(
    USERINFO,
    `$1${REDACTED_USERINFO}@`,
  );
}

/**
 * A value known to be whole (a setting's value, not a text around it) with everything between its
 * `://` and its last `@` replaced by `[redacted]`, whatever stands between: a URL that no parser
 * reads (`http://user:pa ss@x/`, a quote or a `/` in the password) shows none of its
 * `user:password` either, where redactUrlCredentials, which must find a URL's end in free text,
 * stops at the space.
 */
export function redactUrlValue(value: string): string {
  const start = value.indexOf('://');
  const at = value.lastIndexOf('@');
  return start >= 0 && at > start + 3
    ? `${value.slice(0, start + 3)}${REDACTED_USERINFO}${value.slice(at)}`
    : value;
}

/**
 * A copy of `value` with every string in it passed through redactUrlCredentials, to at most
 * `depth` levels of plain objects and lists (deeper ones are left as they are: log objects are
 * shallow; errors are redacted by the logger's serializer).
 */
export function redactUrlCredentialsIn<T>(value: T, depth = 4): T {
  if (typeof value === 'string') return redactUrlCredentials(value) as T;
  if (depth <= 0 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactUrlCredentialsIn(v, depth - 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactUrlCredentialsIn(v, depth - 1);
  return out as T;
}
