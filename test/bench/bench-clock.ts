import type { Clock } from '../../src/util/clock.js';
import type { VirtualClock } from '../../src/util/clock.js';

/**
 * A daemon's clock in a bench over the simulator: virtual, and before each of the daemon's
 * sleeps it waits for what the bench does between cycles (a scrape over HTTP, a heap
 * measurement), so that belongs to one instant.
 */
export class BenchClock implements Clock {
  between: Promise<unknown> = Promise.resolve();
  constructor(readonly inner: VirtualClock) {}
  now(): number {
    return this.inner.now();
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.between;
    return this.inner.sleep(ms, signal);
  }
}
