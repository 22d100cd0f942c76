import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from './http.js';
import { FAULT_KINDS, type FaultKind, type FaultSpec } from './scenario-types.js';

const KINDS = new Set<string>(FAULT_KINDS);

interface ActiveFault extends FaultSpec {
  hits: number;
  pathRe?: RegExp;
}

/**
 * Failures the simulator injects, and how it answers them: from the scenario (by scenario time) or added at run time
 * (tests, `POST /_sim/faults`). Each fault hits matching requests until `times` is used up.
 */
export class Faults {
  private readonly list: ActiveFault[] = [];
  readonly served = new Map<FaultKind, number>();

  constructor(specs: readonly FaultSpec[] = []) {
    for (const f of specs) this.add(f);
  }

  add(spec: FaultSpec): void {
    this.list.push({ ...spec, hits: 0, ...(spec.path ? { pathRe: new RegExp(spec.path) } : {}) });
  }

  clear(): void {
    this.list.length = 0;
  }

  /**
   * The fault to apply to a request for `path` at scenario offset `t`, if any; counts the hit.
   * With `named`, only faults whose path names this one apply (the token endpoint).
   */
  take(path: string, t: number, named = false): ActiveFault | undefined {
    const f = this.list.find(
      (x) =>
        (x.times === undefined || x.hits < x.times) &&
        (x.from === undefined || t >= x.from) &&
        (x.to === undefined || t < x.to) &&
        (x.pathRe ? x.pathRe.test(path) : !named),
    );
    if (f) {
      f.hits++;
      this.served.set(f.kind, (this.served.get(f.kind) ?? 0) + 1);
    }
    return f;
  }

  /**
   * The fault for one API request: the one it asks for (X-Sim-Fault: 503 | 429 | slow | stall |
   * reset | malformed), else the scenario's or the tests' for its path at scenario offset `t`.
   */
  forRequest(req: IncomingMessage, path: string, t: number): FaultSpec | undefined {
    const asked = req.headers['x-sim-fault'];
    return typeof asked === 'string' && KINDS.has(asked)
      ? { kind: asked as FaultKind, delayMs: 2000 }
      : this.take(path, t);
  }
}

/**
 * Answers a request as the fault says (counted under the route's name); true when the fault
 * answered it, false when the route must answer (page_loop, or a slow answer still wanted).
 */
export async function answerFault(
  fault: FaultSpec,
  now: number,
  req: IncomingMessage,
  res: ServerResponse,
  count: (status: number) => void,
): Promise<boolean> {
  const { kind, delayMs } = fault;
  switch (kind) {
    case '429': {
      const wait = delayMs ?? 1000;
      const retryAfter =
        fault.retryAfter ??
        (fault.retryAfterFormat === 'date'
          ? new Date(now + wait).toISOString()
          : String(Math.ceil(wait / 1000)));
      count(429);
      send(
        res,
        429,
        { code: 429, message: 'Too many requests.' },
        {
          'X-RateLimit-Type': fault.rateLimitType ?? 'QPS',
          'Retry-After': retryAfter,
          ...(fault.rateLimitCategory ? { 'X-RateLimit-Category': fault.rateLimitCategory } : {}),
        },
      );
      return true;
    }
    case '500':
    case '502':
    case '503':
      count(Number(kind));
      send(res, Number(kind), { code: Number(kind), message: 'Internal error, please try again later.' });
      return true;
    case 'reset':
      count(0);
      req.socket.destroy();
      return true;
    case 'malformed':
      count(200);
      res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
      res.end('{"page_size": 10, "participants": [{"user_id": "1", "user_qos": [');
      return true;
    case 'page_loop':
    case 'page_wrap':
      return false;
    case 'slow':
      // Real time on purpose: a slow answer exists to trip the client's real network timeout.
      await new Promise((r) => setTimeout(r, delayMs ?? 2000));
      return req.socket.destroyed;
    case 'stall':
      // Headers and the start of the body, then nothing: trips a client whose timeout ends at
      // the headers (ky's did) into waiting; the connection is dropped after the delay.
      count(200);
      res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
      res.write('{"page_size": 10, "participants": [');
      await new Promise((r) => setTimeout(r, delayMs ?? 2000));
      req.socket.destroy();
      return true;
  }
}

/** page_loop: every answer carries a new next_page_token that never ends (the first page again). */
function loopPage(body: unknown): void {
  (body as { next_page_token?: string }).next_page_token = randomBytes(12).toString('hex');
}

const WRAP = 'wrap';

/** page_wrap: the last page's answer carries a new next_page_token that leads to the first page. */
function wrapPage(body: unknown): void {
  const b = body as { next_page_token?: string };
  if (!b.next_page_token) b.next_page_token = WRAP + randomBytes(12).toString('hex');
}

/**
 * A paging fault's hold on one request (its `url` changed to ask for the first page where the
 * fault says so), and what it does to the answer's body; undefined for other faults.
 */
export function pagingFault(fault: FaultSpec | undefined, url: URL): ((body: unknown) => void) | undefined {
  const token = url.searchParams.get('next_page_token');
  if (fault?.kind === 'page_loop' || (fault?.kind === 'page_wrap' && token?.startsWith(WRAP)))
    url.searchParams.delete('next_page_token');
  return fault?.kind === 'page_loop' ? loopPage : fault?.kind === 'page_wrap' ? wrapPage : undefined;
}
