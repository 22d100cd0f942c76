import { describe, expect, it } from 'vitest';
import { sleepUnless, VirtualClock } from '../../src/util/clock.js';

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

describe('VirtualClock in lockstep', () => {
  const turns = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };

  it('moves time only when every loop is asleep, to the earliest wake-up first', async () => {
    const clock = new VirtualClock(1000, { loops: 2 });
    const woke: string[] = [];
    const idle = clock.sleep(60_000).then(() => woke.push(`idle@${clock.now()}`));
    await turns(20);
    expect(woke).toEqual([]); // one loop asleep, the other working: time stands still
    expect(clock.now()).toBe(1000);
    await clock.sleep(5_000).then(() => woke.push(`cycle@${clock.now()}`));
    await clock.sleep(5_000).then(() => woke.push(`cycle@${clock.now()}`));
    const stop = new AbortController();
    const last = clock.sleep(100_000, stop.signal);
    await idle;
    expect(woke).toEqual(['cycle@6000', 'cycle@11000', 'idle@61000']);
    stop.abort(new Error('done'));
    await expect(last).rejects.toThrow('done');
  });

  it('stands still while held, and does not count an aborted sleeper as asleep', async () => {
    const clock = new VirtualClock(1000, { loops: 2 });
    const release = clock.hold();
    const a = clock.sleep(1000);
    const stop = new AbortController();
    const b = clock.sleep(2000, stop.signal);
    await turns(20);
    expect(clock.now()).toBe(1000);
    stop.abort(new Error('stopped'));
    await expect(b).rejects.toThrow('stopped');
    release();
    await turns(20);
    expect(clock.now()).toBe(1000); // only one loop asleep now
    const stopC = new AbortController();
    const c = clock.sleep(3000, stopC.signal);
    await a;
    expect(clock.now()).toBe(2000);
    stopC.abort(new Error('done'));
    await expect(c).rejects.toThrow('done');
    expect(clock.now()).toBe(2000);
  });
});

describe('sleepUnless', () => {
  it('leaves one reaction on a promise pending for the daemon’s life, however many sleeps race it, and wakes on it', async () => {
    // A stop that never comes while the daemon runs: each poll cycle's sleep races it.
    let reactions = 0;
    class Counted<T> extends Promise<T> {
      static override get [Symbol.species](): PromiseConstructor {
        return Promise;
      }
      override then<A = T, B = never>(
        ok?: ((v: T) => A | PromiseLike<A>) | null,
        no?: ((e: unknown) => B | PromiseLike<B>) | null,
      ): Promise<A | B> {
        reactions++;
        return super.then(ok, no);
      }
    }
    let stop = (): void => undefined;
    const stopped = new Counted<void>((resolve) => (stop = resolve));
    const clock = new VirtualClock(1000);
    for (let cycle = 0; cycle < 100; cycle++) await sleepUnless(clock, 60_000, stopped);
    expect(clock.now()).toBe(1000 + 100 * 60_000);
    expect(reactions).toBe(1);
    // The stop comes during a sleep: it ends that sleep, and the ones after at once.
    const sleeping = sleepUnless(clock, 3_600_000, stopped);
    stop();
    await sleeping;
    await sleepUnless(clock, 3_600_000, stopped);
    expect(clock.now()).toBeLessThan(1000 + 101 * 60_000);
  });
});
