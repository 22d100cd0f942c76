/** What a client may try again, and when. */
export type LimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number; firstRefusal: boolean };

interface Bucket {
  tokens: number;
  at: number;
  refusing: boolean;
}

/**
 * A token bucket per client address for password checks: `burst` checks at once, then one
 * more every `refillMs`. A check takes a token before it runs; a right password gives it back,
 * so only failures count. Bounded: at most `maxClients` addresses are remembered (full buckets
 * are forgotten first, then the oldest).
 */
export class FailureLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly now: () => number,
    readonly burst = 10,
    readonly refillMs = 6_000,
    private readonly maxClients = 10_000,
  ) {}

  take(client: string): LimitDecision {
    const b = this.bucket(client);
    if (b.tokens >= 1) {
      b.tokens--;
      b.refusing = false;
      return { ok: true };
    }
    const firstRefusal = !b.refusing;
    b.refusing = true;
    const retryAfterSeconds = Math.max(1, Math.ceil(((1 - b.tokens) * this.refillMs) / 1000));
    return { ok: false, retryAfterSeconds, firstRefusal };
  }

  /** A check that succeeded does not count against the client. */
  refund(client: string): void {
    const b = this.buckets.get(client);
    if (b) b.tokens = Math.min(this.burst, b.tokens + 1);
  }

  get size(): number {
    return this.buckets.size;
  }

  private bucket(client: string): Bucket {
    const t = this.now();
    let b = this.buckets.get(client);
    if (b) {
      b.tokens = Math.min(this.burst, b.tokens + Math.max(0, t - b.at) / this.refillMs);
      b.at = t;
      return b;
    }
    if (this.buckets.size >= this.maxClients) this.forget(t);
    b = { tokens: this.burst, at: t, refusing: false };
    this.buckets.set(client, b);
    return b;
  }

  private forget(t: number): void {
    for (const [k, b] of this.buckets)
      if (b.tokens + (t - b.at) / this.refillMs >= this.burst) this.buckets.delete(k);
    while (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
