import { fromHttpStatus, fromNetworkError } from './errors.js';

/** POSTs JSON and classifies the outcome; shared by the HTTP notifiers. Never logs the body or headers. */
export async function postJson(
  receiver: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  now: () => number,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      signal,
    });
  } catch (err) {
    throw fromNetworkError(receiver, err, signal);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw fromHttpStatus(receiver, res.status, res.headers.get('retry-after'), now());
}
