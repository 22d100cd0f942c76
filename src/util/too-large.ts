import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * After a 413, how much more of the body is read and dropped so that the connection ends with a
 * FIN after the answer, not a reset (see answerTooLarge).
 */
export const DRAIN_BYTES = 1024 * 1024;

/**
 * A 413 while the client may still be sending its body. The answer is written whole at once
 * (with its length) and says `connection: close`, so a keep-alive client opens a new connection
 * for its next request instead of sending it on this one. The rest of the body is then read and
 * dropped, up to DRAIN_BYTES, and only then is the answer ended and the connection closed with a
 * FIN: closing a socket with unread bytes makes the kernel send a reset, which can destroy the
 * answer before the client reads it; and leaving the connection open would read a body of any
 * declared length. A remainder past DRAIN_BYTES (declared, or read) is not waited for: the
 * connection is closed at once. The server's `requestTimeout` bounds the time a slow remainder
 * can take. `written` is called once the answer is written.
 */
export function answerTooLarge(
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  type: string,
  written?: () => void,
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(413, {
    'content-type': type,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.write(body);
  written?.();
  let drained = 0;
  const end = (): void => {
    if (!res.writableEnded) res.end();
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (req.readableEnded || !(declared <= DRAIN_BYTES)) {
    end();
    return;
  }
  req.removeAllListeners('data');
  req.on('data', (c: Buffer) => {
    drained += c.length;
    if (drained > DRAIN_BYTES) end();
  });
  req.once('end', end);
  req.once('close', end);
  req.resume();
}
