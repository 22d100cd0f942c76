import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';

describe('VirtualClock.hold', () => {
  it('keeps a sleeper from moving time while work waits on something real, and lets it go on release', async () => {
    const clock = new VirtualClock(1000);
    const release = clock.hold();
    let woke = false;
    const sleeping = clock.sleep(60_000).then(() => (woke = true));
    // Many turns of the event loop, as an HTTP call to a simulator takes.
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(woke).toBe(false);
    expect(clock.now()).toBe(1000);
    release();
    release(); // twice is once
    await sleeping;
    expect(clock.now()).toBe(61_000);
  });

  it('lets a sleeper due now go while held, and rejects an aborted held sleeper at release', async () => {
    const clock = new VirtualClock(1000);
    const release = clock.hold();
    await clock.sleep(0);
    expect(clock.now()).toBe(1000);
    const stop = new AbortController();
    const held = clock.sleep(5000, stop.signal);
    stop.abort(new Error('stopped'));
    release();
    await expect(held).rejects.toThrow('stopped');
    expect(clock.now()).toBe(1000);
  });
});
