import { createHmac, timingSafeEqual } from 'node:crypto';

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/** An HS256 JWT, as Zoom's Video SDK REST API takes: `iss` = API key, `iat`, `exp`. */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** Decodes a JWT's claims; verifies the signature when a secret is given. Undefined when invalid. */
export function verifyHs256(token: string, secret?: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, sig] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string };
    if (header.alg !== 'HS256') return undefined;
    if (secret !== undefined) {
      const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
      const given = Buffer.from(sig, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    }
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
