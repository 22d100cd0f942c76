import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Zoom's webhook signature: `v0=` + hex HMAC-SHA256 of `v0:{x-zm-request-timestamp}:{raw body}`,
 * keyed with the app's secret token. The body is the raw bytes as received, never re-serialized
 * JSON (a re-serialization changes spacing and key order and so the signature).
 */
export function zoomSignature(secret: string, timestamp: string, body: Buffer | string): string {
  const h = createHmac('sha256', secret);
  h.update(`v0:${timestamp}:`);
  h.update(body);
  return `v0=${h.digest('hex')}`;
}

/** Compares a received `x-zm-signature` with the expected one in constant time over the bytes. */
export function signatureMatches(secret: string, timestamp: string, body: Buffer, received: string): boolean {
  const expected = Buffer.from(zoomSignature(secret, timestamp, body), 'latin1');
  const got = Buffer.from(received, 'latin1');
  // timingSafeEqual needs equal lengths; a length mismatch is itself no secret (the format is public).
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * `x-zm-request-timestamp` in epoch ms, or undefined when it is not a plain integer. Zoom sends
 * seconds; a value that only makes sense as milliseconds is read as such.
 */
export function requestTimestampMs(header: string): number | undefined {
  if (!/^\d{1,16}$/.test(header)) return undefined;
  const n = Number(header);
  return n > 1e12 ? n : n * 1000;
}

/** The answer to `endpoint.url_validation`: the plain token and its HMAC-SHA256 (hex) under the secret token. */
export function urlValidationAnswer(
  secret: string,
  plainToken: string,
): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') };
}
