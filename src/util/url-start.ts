const isSchemeChar = (c: string | undefined): boolean => c !== undefined && /[a-z0-9+.-]/i.test(c);
const isWordChar = (c: string | undefined): boolean => c !== undefined && /\w/.test(c);

/**
 * Where the URL whose `://` is at `colon` starts: the scheme before it, from its first letter
 * that a word boundary precedes (`\b[a-z][a-z0-9+.-]*://`), or -1 when none does (`sec ://`,
 * `my_http://`, `1a://`). The one rule of a URL's start in free text, for its `user:password@`
 * (util/redact-url.ts) and for where a secret `key=value` in it ends (util/url-ends.ts). Looks
 * back over the scheme's characters before `colon` only.
 */
export function urlStart(text: string, colon: number): number {
  let run = colon;
  while (isSchemeChar(text[run - 1])) run--;
  for (let i = run; i < colon; i++) if (/[a-z]/i.test(text[i]!) && !isWordChar(text[i - 1])) return i;
  return -1;
}
