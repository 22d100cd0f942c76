/**
 * The parts of a credential header's value `<scheme> <credential>` (`Bearer abc`, `Token abc`,
 * `Basic dXNlcjpwdw==`) that are secrets alone, since a server or a topic may echo the credential
 * without its scheme: the credential, and for `Basic <base64>` the decoded `user:password` and the
 * password. A value of another form (no scheme, or more than one word after it) gives none.
 * Used for a notifier header's value (util/secret-values.ts) and for the Authorization header
 * the Zoom client sent (zoom/hide-tokens.ts).
 */
export function credentialParts(value: string): string[] {
  const m = /^\s*([A-Za-z][\w.+-]*)\s+(\S+)\s*$/.exec(value);
  if (!m) return [];
  const [, scheme, credential] = m as unknown as [string, string, string];
  if (scheme.toLowerCase() !== 'basic' || !/^[A-Za-z0-9+/]+={0,2}$/.test(credential)) return [credential];
  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || /[\p{Cc}\uFFFD]/u.test(decoded)) return [credential];
  return [credential, decoded, decoded.slice(colon + 1)];
}
