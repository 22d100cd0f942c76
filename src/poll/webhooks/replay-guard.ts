import { createHash } from 'node:crypto';

/**
 * How long a body is remembered: Zoom retries an event it got no 200 for at +5, +20 and +60
 * minutes (new timestamp, new signature, same body), so a redelivery can come an hour after
 * the first; two hours leave room for the retry's own delays.
 */
export const REDELIVERY_WINDOW_MS = 2 * 3_600_000;

/** Memory is kept (and saved) in buckets of this length, by when a request was accepted. */
export const BUCKET_MS = 5 * 60_000;

/** What is remembered of one request: its signature and its body, each by a short digest. */
export interface Seen {
  sig: string;
  body: string;
}

/** The remembered part of a signature: 128 of the HMAC's 256 bits. */
export const signatureKey = (signature: string): string => signature.slice(3, 35);

/** The remembered part of a body: 132 bits of its SHA-256, over the bytes as received. */
export const bodyKey = (body: Buffer | string): string =>
  createHash('sha256').update(body).digest('base64url').slice(0, 22);

export interface Bucket {
  /** Start of the bucket (epoch ms, a multiple of BUCKET_MS). */
  start: number;
  sigs: string[];
  bodies: string[];
}

/**
 * Remembers the signatures of requests accepted within the timestamp window and their bodies
 * within REDELIVERY_WINDOW_MS. Older signatures need no memory: the timestamp check refuses
 * them anyway. A second request with a signature already seen is a replay; one with a new
 * signature but a body already seen is a redelivery (Zoom's retry after an answer it did not
 * get): acknowledged, not handed on twice. Memory is bounded by `maxEntries`; past it the
 * oldest are forgotten first (the sample de-duplication downstream still holds for them).
 * The memory is also kept in time buckets, so that SeenStore can save what changed and a
 * restart can load it back (see service.ts).
 */
export class ReplayGuard {
  private readonly signatures = new Map<string, number>();
  private readonly bodies = new Map<string, number>();
  private readonly buckets = new Map<number, Bucket>();
  /** Buckets with entries not yet saved. */
  readonly dirty = new Set<number>();

  constructor(
    private readonly signatureWindowMs: number,
    private readonly bodyWindowMs = Math.max(REDELIVERY_WINDOW_MS, signatureWindowMs),
    private readonly maxEntries = 1_000_000,
  ) {}

  /**
   * 'replay' (same signature), 'duplicate' (same body, by its bodyKey digest) or 'new'
   * (remembered from now on).
   */
  check(signature: string, digest: string, now: number): 'replay' | 'duplicate' | 'new' {
    this.prune(now);
    const sig = signatureKey(signature);
    if (this.signatures.has(sig)) return 'replay';
    const duplicate = this.bodies.has(digest);
    this.remember({ sig, body: duplicate ? '' : digest }, now);
    return duplicate ? 'duplicate' : 'new';
  }

  /**
   * Takes back what `check` remembered of a request that was then not accepted (the spool
   * could not take it): Zoom's retry of it must be handed on, not answered as a duplicate.
   */
  forget(signature: string, digest: string): void {
    this.signatures.delete(signatureKey(signature));
    this.bodies.delete(digest);
  }

  /** Remembers a request accepted at `at` (from check, or loaded after a restart). */
  remember(seen: Seen, at: number, dirty = true): void {
    const start = at - (at % BUCKET_MS);
    let bucket = this.buckets.get(start);
    if (!bucket) this.buckets.set(start, (bucket = { start, sigs: [], bodies: [] }));
    if (seen.sig && !this.signatures.has(seen.sig)) {
      this.signatures.set(seen.sig, at);
      bucket.sigs.push(seen.sig);
    }
    if (seen.body && !this.bodies.has(seen.body)) {
      this.bodies.set(seen.body, at);
      bucket.bodies.push(seen.body);
    }
    if (dirty) this.dirty.add(start);
  }

  prune(now: number): void {
    const windows: [Map<string, number>, number][] = [
      [this.signatures, this.signatureWindowMs],
      [this.bodies, this.bodyWindowMs],
    ];
    for (const [m, windowMs] of windows) {
      // Insertion order is (close to) time order: stop at the first one still inside the window.
      for (const [k, t] of m) {
        if (t >= now - windowMs && m.size <= this.maxEntries) break;
        m.delete(k);
      }
    }
    for (const start of this.buckets.keys()) {
      if (start + BUCKET_MS >= now - this.bodyWindowMs) break;
      this.buckets.delete(start);
      this.dirty.delete(start);
    }
  }

  /** One bucket of memory, if it is still inside the window. */
  bucket(start: number): Bucket | undefined {
    return this.buckets.get(start);
  }

  /** The oldest bucket start still worth keeping at `now`. */
  oldestKept(now: number): number {
    return now - this.bodyWindowMs - BUCKET_MS;
  }

  get size(): number {
    return this.signatures.size;
  }

  get bodyCount(): number {
    return this.bodies.size;
  }
}
