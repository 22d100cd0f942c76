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

/** Settings whose every value is a secret: basic-auth users' hashes, notifier HTTP headers (Authorization...). */
const SECRET_MAPPINGS: ReadonlySet<string> = new Set(['basic_auth_users', 'headers']);

/** Whether the setting at `path` holds a secret: a secret setting, a header value or a basic-auth user's hash. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  const last = [...path].reverse().find((s): s is string => typeof s === 'string');
  return (
    (last !== undefined && SECRET_SETTINGS.has(last)) ||
    path.some((s) => typeof s === 'string' && SECRET_MAPPINGS.has(s))
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
