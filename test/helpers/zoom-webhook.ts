import { createHmac } from 'node:crypto';

/**
 * A sender that signs exactly as Zoom documents it (x-zm-signature = "v0=" + hex
 * HMAC-SHA256 of "v0:{timestamp}:{raw body}" under the app's secret token, timestamp in
 * seconds), written apart from the receiver's own code.
 */
export function zoomHeaders(secret: string, body: string | Buffer, nowMs: number): Record<string, string> {
  const ts = String(Math.floor(nowMs / 1000));
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${ts}:`);
  mac.update(body);
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-zm-request-timestamp': ts,
    'x-zm-signature': `v0=${mac.digest('hex')}`,
  };
}

export interface Answer {
  status: number;
  body: string;
}

export async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  method = 'POST',
): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
  });
  return { status: res.status, body: await res.text() };
}
