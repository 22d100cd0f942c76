import { createHash } from 'node:crypto';

/**
 * Remembers the signatures and bodies of requests accepted within the timestamp window.
 * Older ones need no memory: the timestamp check refuses them anyway. A second request with
 * a signature already seen is a replay; one with a new signature but a body already seen is a
 * redelivery (Zoom's retry after an answer it did not get): acknowledged, not handed on twice.
 * Memory is bounded by `maxEntries`; past it the oldest are forgotten first (the sample
 * de-duplication downstream still holds for them).
 */
export class ReplayGuard {
  private readonly signatures = new Map<string, number>();
  private readonly bodies = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 1_000_000,
  ) {}

  /** 'replay' (same signature), 'duplicate' (same body) or 'new' (remembered from now on). */
  check(signature: string, body: Buffer, now: number): 'replay' | 'duplicate' | 'new' {
    this.prune(now);
    if (this.signatures.has(signature)) return 'replay';
    const digest = createHash('sha256').update(body).digest('base64');
    this.signatures.set(signature, now);
    if (this.bodies.has(digest)) return 'duplicate';
    this.bodies.set(digest, now);
    return 'new';
  }

  private prune(now: number): void {
    for (const m of [this.signatures, this.bodies]) {
      // Insertion order is time order: stop at the first one still inside the window.
      for (const [k, t] of m) {
        if (t >= now - this.windowMs && m.size <= this.maxEntries) break;
        m.delete(k);
      }
    }
  }

  get size(): number {
    return this.signatures.size;
  }
}
