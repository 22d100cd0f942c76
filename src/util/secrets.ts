/**
 * Settings whose values are secrets wherever they appear (the Zoom and Video SDK secrets,
 * notifier tokens, passwords and signing secrets, the webhook apps' secret tokens, the
 * simulator's credentials). No message ever prints their values, whatever their type;
 * `*_file` settings hold paths, not secrets (their files' content is one: util/secret-values.ts).
 */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'client_secret',
  'api_secret',
  'secret',
  'password',
  'token',
  'access_token',
  'secret_token',
]);

/** Settings whose every value is a secret: basic-auth users' hashes. */
const SECRET_MAPPINGS: ReadonlySet<string> = new Set(['basic_auth_users']);

/**
 * The words of a notifier HTTP header's name that say its value is a secret (Authorization,
 * Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token, X-Hub-Signature, X-Session-Id, apikey...).
 * Whole words only: `X-Author` or `Monkey` is not one, and another header's value (`X-Source:
 * qoswatch`) is not a secret: hiding it would hide that word in every log line.
 */
const SECRET_HEADER_WORDS: ReadonlySet<string> = new Set([
  'authorization',
  'auth',
  'cookie',
  'token',
  'key',
  'apikey',
  'authtoken',
  'accesstoken',
  'secret',
  'pass',
  'password',
  'passwd',
  'passcode',
  'passphrase',
  'signature',
  'session',
  'sessionid',
  'credential',
  'credentials',
  'keys',
]);

/** A header name's words: split at `-`, `_`, `.`, blanks and case changes (`XApiKey`: x, api, key). */
const headerWords = (name: string): string[] =>
  name
    .split(/[-_.\s]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);

/**
 * Parts that say a header's name is a secret's wherever they are in it, its separators taken out:
 * names written as one word or in the plural (`x-apitoken`, `X-Api-Keys`, `Authentication`,
 * `X-Hmac`, `X-Jwt`). None is a part of a common word (`auth` alone is a word: `X-Author` is not).
 */
const SECRET_HEADER_PARTS = [
  'token',
  'secret',
  'passw',
  'apikey',
  'accesskey',
  'authkey',
  'authentication',
  'authorization',
  'credential',
  'signature',
  'hmac',
  'jwt',
  'bearer',
  'cookie',
  'session',
];

/** Whether a header named `name` holds a secret: a word of it is a SECRET_HEADER_WORDS, or it holds a SECRET_HEADER_PARTS. */
function isSecretHeader(name: string): boolean {
  if (headerWords(name).some((w) => SECRET_HEADER_WORDS.has(w))) return true;
  const squashed = name.toLowerCase().replace(/[-_.\s]+/g, '');
  return SECRET_HEADER_PARTS.some((part) => squashed.includes(part));
}

/**
 * Whether `path` is in a `headers` mapping where a secret is: the mapping itself (its names and
 * values as a whole) or a header whose name says it holds a secret.
 */
function inSecretHeader(path: readonly (string | number)[]): boolean {
  const at = path.indexOf('headers');
  if (at < 0) return false;
  const name = path[at + 1];
  return name === undefined || (typeof name === 'string' && isSecretHeader(name));
}

/**
 * Whether the setting at `path` holds a secret: a secret setting, a basic-auth user's hash or the
 * value of a notifier header whose name says so (isSecretHeader).
 */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  const last = [...path].reverse().find((s): s is string => typeof s === 'string');
  return (
    (last !== undefined && SECRET_SETTINGS.has(last)) ||
    path.some((s) => typeof s === 'string' && SECRET_MAPPINGS.has(s)) ||
    inSecretHeader(path)
  );
}

/** What a value is, without what it says: for messages about secret settings. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'string') return 'a string';
  return 'a mapping';
}
