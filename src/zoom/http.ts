import type { Agent, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/** Zoom's answer to one request: its status, headers and whole body. */
export interface HttpAnswer {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  text: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** A POST's form (sent as application/x-www-form-urlencoded). */
  form?: URLSearchParams;
  /** For the whole exchange: connecting, sending, Zoom's answer and its body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Kept-alive connections per protocol, as fetch kept them. */
const agents = new Map<string, Agent>();

function transport(protocol: string): { module: typeof import('node:http'); agent: Agent } {
  // node:https (and node:tls with it) only for https: Zoom's API, not the simulator.
  const module =
    protocol === 'https:'
      ? (process.getBuiltinModule('node:https') as unknown as typeof import('node:http'))
      : process.getBuiltinModule('node:http');
  let agent = agents.get(protocol);
  // An idle connection is closed after 4 s, as fetch's were (undici's keepAliveTimeout): one that
  // Zoom closed meanwhile is not taken again for the next call.
  if (!agent) agents.set(protocol, (agent = new module.Agent({ keepAlive: true, timeout: 4_000 })));
  return { module, agent };
}

/** The body, decompressed as its Content-Encoding says (gzip, deflate, br asked for, as fetch does). */
function decoded(res: IncomingMessage): Readable {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (!encoding || encoding === 'identity') return res;
  const zlib = process.getBuiltinModule('node:zlib');
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH })
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return res;
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

/**
 * Zoom's answer, its body read whole. A body cut short reads as none, as the client read a
 * failed res.text(): the answer then fails as what it is (an empty or broken page).
 */
function readAnswer(res: IncomingMessage, answer: (a: HttpAnswer) => void): void {
  const chunks: Buffer[] = [];
  const status = res.statusCode ?? 0;
  const h = res.headers;
  const reply = (text: string): void =>
    answer({
      status,
      ok: status >= 200 && status < 300,
      headers: {
        get: (name) => {
          const v = h[name.toLowerCase()];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
        },
      },
      text,
    });
  const stream = decoded(res);
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('error', () => reply(''));
  res.on('close', () => {
    if (!res.complete) reply('');
  });
  stream.on('end', () => reply(Buffer.concat(chunks).toString('utf8')));
}

const timeoutError = (ms: number): Error =>
  Object.assign(new Error(`Zoom did not answer within ${ms} ms`), { name: 'TimeoutError' });

/**
 * One request to Zoom over node:http / node:https, the body read whole. Zoom's client and
 * token fetch used ky over Node's fetch; loading fetch (undici) took 65-100 ms of CPU at the
 * first poll cycle on Node 24, before /readyz could be answered (issue 16). What the client
 * reads is the same: a connection that fails rejects with an error whose `cause` is the system
 * error (its `code`, ECONNREFUSED...), a request past its time with a `TimeoutError`, an
 * aborted one with the signal's reason; a body cut short reads as empty. The timeout now also
 * covers the body (ky's ended at the headers: a body that stalled was waited for without end).
 */
export function request(url: string, r: HttpRequest): Promise<HttpAnswer> {
  const target = new URL(url);
  const { module, agent } = transport(target.protocol);
  const body = r.form?.toString();
  const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...r.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    const done = (outcome: { error: Error } | { answer: HttpAnswer }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      r.signal?.removeEventListener('abort', abort);
      if ('answer' in outcome) resolve(outcome.answer);
      else {
        req.destroy();
        reject(outcome.error);
      }
    };
    // The signal's reason as fetch rejected with it (the daemon's stop).
    const abort = (): void =>
      done({
        error:
          (r.signal?.reason as Error | undefined) ??
          new DOMException('This operation was aborted', 'AbortError'),
      });
    const req = module.request(target, { method: r.method, headers, agent }, (res) =>
      readAnswer(res, (answer) => done({ answer })),
    );
    const timer = setTimeout(() => done({ error: timeoutError(r.timeoutMs) }), r.timeoutMs);
    req.on('error', (err) =>
      done({ error: new Error(`request to ${target.host} failed: ${err.message}`, { cause: err }) }),
    );
    if (r.signal?.aborted) return abort();
    r.signal?.addEventListener('abort', abort, { once: true });
    req.end(body);
  });
}
