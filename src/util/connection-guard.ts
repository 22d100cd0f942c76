import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How much one client, and all of them together, can make an HTTP server hold. */
export interface ConnectionLimits {
  /**
   * Connections open at once. A connection past it closes another: the oldest that is idle or
   * whose answer is written but not taken by the client, else the oldest; so a new client (a
   * health probe) always gets in.
   */
  maxConnections: number;
  /** Requests a connection may have waiting behind the one being answered; one more closes it. */
  maxPipelined: number;
  /** A request's answer must be written and taken by the client within this (ms), or the connection is closed. */
  flushMs: number;
}

/**
 * Why the guard closed a connection: more than `maxPipelined` requests waiting (pipelined), one
 * past `maxConnections` came (evicted), an answer not taken within `flushMs` (stalled).
 */
export const CLOSE_REASONS = ['pipelined', 'evicted', 'stalled'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** What the guard holds now, and the connections it closed (since start). */
export interface GuardStats {
  /** Connections open. */
  open: number;
  /** Requests read and waiting for their connection's answer in flight. */
  waiting: number;
  /** Bytes written to the connections and not yet taken by the OS. */
  buffered: number;
  closed: Record<CloseReason, number>;
}

interface Conn {
  /** The TCP connection (what is closed). */
  socket: Socket;
  /** What requests are written to: the TLS socket over it, or the same. */
  io: Socket;
  /** A request's turn is running: its answer is not written and taken yet. */
  busy: boolean;
  /** The answer of the request whose turn runs. */
  res: ServerResponse | undefined;
  waiting: ((go: boolean) => void)[];
}

/** The raw socket a TLS connection wraps (the TLS socket itself is what a request has). */
const rawOf = (socket: Socket): Socket => (socket as Socket & { _parent?: Socket })._parent ?? socket;

/**
 * Bounds what clients can make a node:http(s) server hold. Node calls the handler of every
 * request it parses, pipelined ones included, before the first is answered: 5,000 `GET
 * /metrics` written at once rendered 5,000 scrapes of 320 KB each (1.5 GB) for a client that never
 * read one. Here a connection is answered one request at a time: the next request's handler runs
 * only once the previous answer is handed to the OS (Node's `finish`), so a client that does not
 * read holds one answer; more than `maxPipelined` waiting behind it close the connection; an
 * answer not taken within `flushMs` closes it; and at most `maxConnections` are open.
 */
export class ConnectionGuard {
  private readonly conns = new Map<Socket, Conn>();
  private readonly closed: Record<CloseReason, number> = { pipelined: 0, evicted: 0, stalled: 0 };

  constructor(
    server: Server,
    private readonly limits: ConnectionLimits,
  ) {
    server.on('connection', (socket: Socket) => this.accept(socket));
  }

  get stats(): GuardStats {
    let waiting = 0;
    let buffered = 0;
    for (const c of this.conns.values()) {
      waiting += c.waiting.length;
      buffered += c.io.writableLength;
    }
    return { open: this.conns.size, waiting, buffered, closed: { ...this.closed } };
  }

  /**
   * Resolves when it is this request's turn on its connection: true to answer it, false when the
   * connection was closed meanwhile (nothing to answer).
   */
  turn(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const c = this.conns.get(rawOf(req.socket));
    if (!c) return Promise.resolve(!req.socket.destroyed);
    if (c.socket.destroyed) return Promise.resolve(false);
    c.io = req.socket;
    if (!c.busy) {
      this.start(c, res);
      return Promise.resolve(true);
    }
    if (c.waiting.length >= this.limits.maxPipelined) {
      this.closed.pipelined++;
      c.socket.destroy();
      return Promise.resolve(false);
    }
    return new Promise((resolve) =>
      c.waiting.push((go) => {
        if (go) this.start(c, res);
        resolve(go);
      }),
    );
  }

  private accept(socket: Socket): void {
    const c: Conn = { socket, io: socket, busy: false, res: undefined, waiting: [] };
    if (this.conns.size >= this.limits.maxConnections) this.evict();
    this.conns.set(socket, c);
    socket.once('close', () => {
      this.conns.delete(socket);
      for (const w of c.waiting.splice(0)) w(false);
    });
  }

  /** Closes the oldest connection that holds no request being worked on, else the oldest. */
  private evict(): void {
    let victim: Conn | undefined;
    for (const c of this.conns.values())
      // Ended: the answer is all written, what is left is the client's to read.
      if (!c.busy || c.res?.writableEnded) {
        victim = c;
        break;
      }
    victim ??= this.conns.values().next().value;
    if (!victim) return;
    this.closed.evicted++;
    this.conns.delete(victim.socket);
    victim.socket.destroy();
  }

  /** The request's turn: until its answer is handed to the OS (or the connection closes). */
  private start(c: Conn, res: ServerResponse): void {
    c.busy = true;
    c.res = res;
    const timer = setTimeout(() => {
      this.closed.stalled++;
      c.socket.destroy();
    }, this.limits.flushMs);
    timer.unref();
    let over = false;
    const done = (): void => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      if (!c.socket.destroyed) this.next(c);
    };
    res.once('finish', done);
    res.once('close', done);
  }

  private next(c: Conn): void {
    c.busy = false;
    c.res = undefined;
    c.waiting.shift()?.(true);
  }
}
