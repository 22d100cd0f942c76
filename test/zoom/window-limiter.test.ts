import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { Paused, WindowLimiter } from '../../src/zoom/window-limiter.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');

/** A few turns of the event loop: time enough for a stray sleeper to move the virtual clock. */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await turn();
}

describe('WindowLimiter', () => {
  it('grants at most `limit` permits a window, in the order they were asked for', async () => {
    const clock = new VirtualClock(T0);
    const limiter = new WindowLimiter(2, 1000, clock);
    const granted: { i: number; at: number }[] = [];
    await Promise.all(
      Array.from({ length: 7 }, async (_, i) => {
        const release = await limiter.acquire();
        granted.push({ i, at: clock.now() - T0 });
        release();
      }),
    );
    expect(granted.map((g) => g.i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(granted.map((g) => g.at)).toEqual([0, 0, 1000, 1000, 2000, 2000, 3000]);
  });

  it('frees a permit at once when the request never left, and holds it a window when it did', async () => {
    const clock = new VirtualClock(T0);
    const limiter = new WindowLimiter(1, 1000, clock);
    (await limiter.acquire())(false);
    (await limiter.acquire())(true);
    expect(clock.now()).toBe(T0);
    await limiter.acquire();
    expect(clock.now()).toBe(T0 + 1000);
  });

  it('starts nothing before a pause ends', async () => {
    const clock = new VirtualClock(T0);
    const limiter = new WindowLimiter(5, 1000, clock);
    limiter.pauseUntil(T0 + 30_000, 'a test pause');
    await limiter.acquire();
    expect(clock.now()).toBe(T0 + 30_000);
  });

  it('refuses, at once, who will not wait past `latest`: before the pause and while queued; the rest wait', async () => {
    const clock = new VirtualClock(T0);
    const limiter = new WindowLimiter(1, 1000, clock);
    const held = await limiter.acquire();
    const queued = limiter.acquire(undefined, T0 + 30_000);
    const patient = limiter.acquire();
    limiter.pauseUntil(T0 + 300_000, 'a test pause');
    await expect(queued).rejects.toMatchObject({ name: 'Paused', until: T0 + 300_000 });
    await expect(limiter.acquire(undefined, T0 + 30_000)).rejects.toBeInstanceOf(Paused);
    expect(limiter.pauseAt(clock.now())?.until).toBe(T0 + 300_000);
    expect(clock.now()).toBe(T0);
    held();
    await patient;
    expect(clock.now()).toBe(T0 + 300_000);
    expect(limiter.pauseAt(clock.now())?.until).toBeUndefined();
  });

  it('rejects an aborted wait with its reason, serves the next in line, and leaves no wake-up armed', async () => {
    const clock = new VirtualClock(T0);
    const limiter = new WindowLimiter(1, 1000, clock);
    const held = await limiter.acquire();
    const stop = new AbortController();
    const aborted = limiter.acquire(stop.signal);
    const next = limiter.acquire();
    stop.abort(new Error('stopping'));
    await expect(aborted).rejects.toThrow('stopping');
    held(false);
    (await next)(false);
    expect(clock.now()).toBe(T0);
    // A permit cooling with nobody waiting: no sleeper moves the virtual clock to its end.
    (await limiter.acquire())(true);
    const waiting = new AbortController();
    const gone = limiter.acquire(waiting.signal);
    waiting.abort(new Error('gone'));
    await expect(gone).rejects.toThrow('gone');
    await turns();
    expect(clock.now()).toBe(T0);
    await expect(limiter.acquire(waiting.signal)).rejects.toThrow('gone');
  });
});
