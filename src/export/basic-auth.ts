import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type Bcrypt from 'bcryptjs';
import type { Logger } from 'pino';
import { FailureLimiter } from './failure-limiter.js';
import { FairQueue, QueueFullError } from './fair-queue.js';

/** bcrypt reads at most this many bytes of a password and ignores the rest. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

export type AuthOutcome =
  { status: 200 } | { status: 401 } | { status: 429; retryAfterSeconds: number; why: 'failures' | 'busy' };

/** What the checks did, for tests and the operator (each a running count). */
export interface AuthStats {
  /** Requests that carried credentials. */
  attempts: number;
  /** Answered from the cache of credentials verified in the last `cacheTtlMs`. */
  cacheHits: number;
  /** bcrypt comparisons run, against a user's hash or the dummy. */
  compares: number;
  /** Of those, against the dummy hash because the user name is unknown. */
  dummyCompares: number;
  /** Passwords refused before bcrypt for being over 72 bytes. */
  tooLong: number;
  /** Answered 429: this client failed too often. */
  limited: number;
  /** Answered 429: too many checks waiting for bcrypt. */
  busy: number;
}

export interface BasicAuthOptions {
  now: () => number;
  log?: Logger;
  /** How long verified credentials are remembered. Default 5 minutes. */
  cacheTtlMs?: number;
  /** Failed checks a client may make at once, and one more per `refillMs`. Defaults 10 and 6 s. */
  burst?: number;
  refillMs?: number;
  /** bcrypt comparisons at once, and how many may wait. Defaults 1 and 64. */
  concurrency?: number;
  maxQueued?: number;
}

// Loaded when basic auth is configured: the daemon without it never reads bcryptjs.
const require = createRequire(import.meta.url);
let bcryptjs: typeof Bcrypt | undefined;
const bcrypt = (): typeof Bcrypt => (bcryptjs ??= require('bcryptjs') as typeof Bcrypt);

const CACHE_MAX = 1_000;

/** `Basic <base64(user:password)>` split, or undefined when the header is not that. */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic +([A-Za-z0-9+/=_-]+) *$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Basic auth against bcrypt hashes, as Prometheus's exporter web config does it, made safe
 * for hostile clients:
 * - users live in a Map, so `constructor` or `__proto__` is just an unknown name;
 * - an unknown user costs one bcrypt comparison against a dummy hash of the same cost, so
 *   response times do not tell which names exist;
 * - passwords over 72 bytes are refused (bcrypt would ignore the rest);
 * - verified credentials are remembered for a few minutes, keyed by a keyed hash (HMAC with
 *   a per-process random key), never by the password itself, so scrapes stay cheap;
 * - bcrypt runs at most `concurrency` at a time in a queue fair between clients, and each
 *   client address may fail only `burst` times (then one per `refillMs`) before it gets 429.
 */
export class BasicAuth {
  readonly stats: AuthStats = {
    attempts: 0,
    cacheHits: 0,
    compares: 0,
    dummyCompares: 0,
    tooLong: 0,
    limited: 0,
    busy: 0,
  };
  readonly queue: FairQueue;
  private readonly users: Map<string, string>;
  private readonly dummyHash: string;
  private readonly hmacKey = randomBytes(32);
  private readonly verified = new Map<string, number>();
  private readonly limiter: FailureLimiter;
  private readonly cacheTtlMs: number;

  constructor(
    users: Record<string, string>,
    private readonly opts: BasicAuthOptions,
  ) {
    this.users = new Map(Object.entries(users));
    const rounds = Math.max(4, ...[...this.users.values()].map((h) => safeRounds(h)));
    // A salt of the same cost with a hash part no password produces: as slow to check as a real one.
    this.dummyHash = bcrypt().genSaltSync(rounds) + '.'.repeat(31);
    this.limiter = new FailureLimiter(opts.now, opts.burst ?? 10, opts.refillMs ?? 6_000);
    this.queue = new FairQueue(opts.concurrency ?? 1, opts.maxQueued ?? 64);
    this.cacheTtlMs = opts.cacheTtlMs ?? 300_000;
  }

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** Decides a request: 200 (let it through), 401, or 429 with a Retry-After. */
  async check(header: string | undefined, client: string): Promise<AuthOutcome> {
    const creds = parseBasic(header);
    if (!creds) return { status: 401 };
    this.stats.attempts++;
    const hash = this.users.get(creds.user);
    const key = createHmac('sha256', this.hmacKey)
      .update(`${creds.user}\u0000${hash ?? ''}\u0000${creds.password}`)
      .digest('base64');
    const until = this.verified.get(key);
    if (until !== undefined && until > this.opts.now()) {
      this.stats.cacheHits++;
      return { status: 200 };
    }
    const allowed = this.limiter.take(client);
    if (!allowed.ok) {
      this.stats.limited++;
      if (allowed.firstRefusal)
        this.opts.log?.warn(
          { client, retryAfterSeconds: allowed.retryAfterSeconds },
          `too many failed logins from ${client}; answering 429 for ${allowed.retryAfterSeconds}s`,
        );
      return { status: 429, retryAfterSeconds: allowed.retryAfterSeconds, why: 'failures' };
    }
    if (Buffer.byteLength(creds.password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES) {
      this.stats.tooLong++;
      return { status: 401 };
    }
    let ok: boolean;
    try {
      ok = await this.queue.run(client, () => this.compare(creds.password, hash));
    } catch (err) {
      if (!(err instanceof QueueFullError)) throw err;
      this.limiter.refund(client);
      this.stats.busy++;
      return { status: 429, retryAfterSeconds: 1, why: 'busy' };
    }
    if (!ok) return { status: 401 };
    this.limiter.refund(client);
    this.remember(key);
    return { status: 200 };
  }

  /** One bcrypt comparison, against the dummy hash when the user is unknown (same cost, always false). */
  private async compare(password: string, hash: string | undefined): Promise<boolean> {
    this.stats.compares++;
    if (hash === undefined) this.stats.dummyCompares++;
    const ok = await bcrypt().compare(password, hash ?? this.dummyHash);
    return ok && hash !== undefined;
  }

  private remember(key: string): void {
    const now = this.opts.now();
    if (this.verified.size >= CACHE_MAX)
      for (const [k, until] of this.verified) if (until <= now) this.verified.delete(k);
    while (this.verified.size >= CACHE_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, now + this.cacheTtlMs);
  }
}

function safeRounds(hash: string): number {
  try {
    return bcrypt().getRounds(hash);
  } catch {
    return 4;
  }
}
