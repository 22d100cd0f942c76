/** Why OpenSSL refused a file, in its own short words ("no start line"), never the file's content. */
export function opensslReason(err: unknown): string {
  const e = err as Error & { reason?: string; code?: string };
  if (e.code === 'ENOENT') return 'file not found';
  return e.reason ?? e.code ?? e.message;
}

/**
 * Whether a PEM certificate and key make a TLS server identity: the certificate parses, the
 * key parses, and the key is the certificate's. Undefined when they do; else which one is
 * wrong and why.
 */
export function tlsPairProblem(
  cert: Buffer,
  key: Buffer,
): { file: 'cert' | 'key'; reason: string } | undefined {
  const tryIt = (o: { cert?: Buffer; key?: Buffer }): string | undefined => {
    try {
      // node:tls only when a TLS pair is checked: loading it costs 10-60 ms of start-up.
      process.getBuiltinModule('node:tls').createSecureContext(o);
      return undefined;
    } catch (err) {
      return opensslReason(err);
    }
  };
  const certProblem = tryIt({ cert });
  if (certProblem) return { file: 'cert', reason: `not a PEM certificate: ${certProblem}` };
  const keyProblem = tryIt({ key });
  if (keyProblem) return { file: 'key', reason: `not a PEM private key: ${keyProblem}` };
  const pair = tryIt({ cert, key });
  return pair ? { file: 'key', reason: `not the certificate's key: ${pair}` } : undefined;
}
