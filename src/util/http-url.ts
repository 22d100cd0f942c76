/**
 * What is wrong with `text` as the URL of a setting that qoswatch fetches or posts to, in words
 * that follow the value (`found "…", whose port 99999 is not from 1 to 65535`), or undefined when
 * it is an http(s) URL that `new URL` reads, without `user:password@` (fetch refuses those on
 * every attempt), with a port from 1 to 65535 if any. `format: uri` alone accepted `file:`,
 * `javascript:`, credentials and `http://127.0.0.1:99999`, which then failed at every call.
 *
 * The one check of every URL setting (the schema keyword `httpUrl`, util/validators.ts). Its
 * own text goes into the build's standalone validators: it uses nothing but globals.
 */
export function httpUrlProblem(text: string): string | undefined {
  if (/[\s"<>\\^`{|}]/.test(text)) return 'which holds a space or a character a URL never holds';
  const authority = /^https?:\/\/([^/?#]*)/.exec(text)?.[1];
  if (authority === undefined)
    return /^https?:\/\//i.test(text)
      ? 'whose scheme is not in lower case (write http:// or https://)'
      : 'which is not an http:// or https:// URL';
  if (authority.includes('@')) return 'which carries user:password@';
  if (authority === '') return 'which has no host';
  const port = /:(\d+)$/.exec(authority)?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535))
    return `whose port ${port} is not from 1 to 65535`;
  try {
    new URL(text);
  } catch {
    return 'which does not parse as a URL';
  }
  return undefined;
}

/**
 * The schema of a setting that must be an http(s) URL (see httpUrlProblem). `format` and
 * `pattern` are for editors, which do not know `httpUrl`; qoswatch reports the keyword's problem
 * alone (util/yaml-file.ts).
 */
export const httpUrlSchema = (errorMessage: string): Record<string, unknown> => ({
  type: 'string',
  format: 'uri',
  pattern: '^https?://[^/?#@\\s]+([/?#]|$)',
  httpUrl: true,
  errorMessage,
});

/** The message of a notifier's URL setting. */
export const NOTIFIER_URL_MESSAGE = 'an http(s) URL without user:password@ (credentials go in headers)';
