import type { Duplex } from 'node:stream';

/** Why bytes that never became a request were refused (a `clientError`). */
export type FramingRefusal = 'malformed' | 'headers_too_large' | 'too_large' | 'request_timeout';

/** Node's own answers to a `clientError` (lib/_http_server.js), by refusal. */
const ANSWERS: Record<FramingRefusal, string> = {
  malformed: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
  headers_too_large: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  too_large: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  request_timeout: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
};

/** The refusal an HTTP server's `clientError` is; undefined for a connection error (a reset: no one to answer). */
function refusalOf(code: string | undefined): FramingRefusal | undefined {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 'too_large';
  return code?.startsWith('HPE_') ? 'malformed' : undefined;
}

/**
 * A `clientError` handled as Node handles it when no one listens: bytes that cannot be a request
 * (`Content-Length: -5`, two different lengths, headers past 16 KiB, a request too slow) are
 * answered 400 (431, 413, 408) with `connection: close` while the socket can still be written
 * and no answer has begun on it (an answer in flight is not corrupted), then the connection is
 * destroyed. Returns the refusal, or undefined for a connection error, which is not answered.
 * Never throws.
 */
export function answerClientError(err: Error, socket: Duplex): FramingRefusal | undefined {
  const refusal = refusalOf((err as NodeJS.ErrnoException).code);
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (refusal && socket.writable && !inFlight?.headersSent) socket.write(ANSWERS[refusal]);
  socket.destroy();
  return refusal;
}

/**
 * A node:http(s) server's options for how long a client may take: its headers, its whole
 * request (a 408 `clientError` past either), and a kept-alive connection's wait for the next.
 * Node checks the first two every `connectionsCheckingInterval`, 30 s by default, which would
 * stretch them: at most a second here.
 */
export function requestTimeouts(t: { headersMs: number; requestMs: number; keepAliveMs: number }): {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
} {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionsCheckingInterval: Math.min(1_000, t.headersMs),
  };
}

/**
 * A CONNECT request (Node hands it to a `connect` listener, and closes the connection without an
 * answer when there is none) answered 405 with the methods the server takes, then closed: no
 * server of qoswatch is a proxy. Never throws.
 */
export function answerConnect(socket: Duplex, allow: string): void {
  socket.on('error', () => undefined);
  if (socket.writable)
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nAllow: ${allow}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: 19\r\nConnection: close\r\n\r\nmethod not allowed\n`,
    );
  else socket.destroy();
}
