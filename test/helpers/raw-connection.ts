import { Agent, request, type RequestOptions } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A raw connection that records what it reads and how it ended. */
export interface RawConnection {
  socket: Socket;
  text: () => string;
  /** Resolves once `re` matches what has been read. */
  until: (re: RegExp) => Promise<void>;
  /** Resolves with how the connection ended: 'end' (a FIN) or the error's code. */
  ended: Promise<string>;
}

/** Opens a TCP connection to 127.0.0.1:`port` (for what an HTTP client would hide: resets, FINs). */
export async function openRaw(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let read = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  socket.setEncoding('latin1');
  socket.on('data', (c: string) => {
    read += c;
    for (const w of waiters.splice(0))
      if (w.re.test(read)) w.resolve();
      else waiters.push(w);
  });
  const ended = new Promise<string>((resolve) => {
    socket.once('end', () => resolve('end'));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    socket.once('close', () => resolve('close without FIN'));
  });
  return {
    socket,
    text: () => read,
    until: (re) =>
      new Promise<void>((resolve) => {
        if (re.test(read)) resolve();
        else waiters.push({ re, resolve });
      }),
    ended,
  };
}

/** An answer as a keep-alive client sees it: whether it came over a reused connection, and its `connection` header. */
export interface KeptAliveReply {
  status: number;
  reused: boolean;
  text: string;
  connection: string | undefined;
}

/** One request through node:http (with `options.agent`, a keep-alive client's pool). */
export function keptAliveRequest(options: RequestOptions, payload?: string): Promise<KeptAliveReply> {
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          reused: req.reusedSocket,
          text,
          connection: res.headers.connection,
        }),
      );
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * A keep-alive client's three requests: one accepted (so the connection is kept alive), one
 * `oversized` (answered over the reused connection), and the next.
 */
export async function keptAliveRefusal(
  send: (agent: Agent, oversized?: string) => Promise<KeptAliveReply>,
  oversized: string,
): Promise<{ first: KeptAliveReply; refused: KeptAliveReply; next: KeptAliveReply }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await send(agent);
    const refused = await send(agent, oversized);
    const next = await send(agent);
    return { first, refused, next };
  } finally {
    agent.destroy();
  }
}

/**
 * A client that sends `head` and the first 3000 bytes of a `declared`-byte body, waits for
 * `answer` to be read, then sends the rest: what it had read then, what it read in all, and how
 * the connection ended.
 */
export async function uploadPastAnswer(
  port: number,
  head: string,
  declared: number,
  answer: RegExp,
): Promise<{ before: string; text: string; ended: string }> {
  const c = await openRaw(port);
  try {
    c.socket.write(head + 'x'.repeat(3000));
    await c.until(answer);
    const before = c.text();
    c.socket.write('x'.repeat(declared - 3000));
    const ended = await c.ended;
    return { before, text: c.text(), ended };
  } finally {
    c.socket.destroy();
  }
}

/**
 * Requests whose HTTP/1.1 framing is wrong, each with Node's answer to it (400, or 431 for
 * headers past 16 KiB): what a `clientError` handler must answer before closing, and how the
 * connection may end after the answer: a FIN ('end'), or, when the server closes with bytes of
 * the request still unread (the rest of a 100 KB header), a reset after the answer (Node 24
 * does; Node 20 reads them first).
 */
export const MALFORMED: readonly {
  what: string;
  head: (path: string) => string;
  answer: string;
  endings: readonly string[];
}[] = [
  {
    what: 'Content-Length: -5',
    head: (p) => `POST ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n`,
    answer: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
    endings: ['end'],
  },
  {
    what: 'two different Content-Length headers',
    head: (p) =>
      `POST ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
    answer: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
    endings: ['end'],
  },
  {
    what: 'a 100 KB header',
    head: (p) => `POST ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    answer: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
    endings: ['end', 'ECONNRESET'],
  },
];

/** Sends `text` on a new connection: all it read, and how the connection ended. */
export async function sendRaw(port: number, text: string): Promise<{ text: string; ended: string }> {
  const c = await openRaw(port);
  try {
    c.socket.write(text);
    const ended = await c.ended;
    return { text: c.text(), ended };
  } finally {
    c.socket.destroy();
  }
}
