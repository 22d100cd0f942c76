import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { growReservation, reserveFirst, RESERVE_WAIT_MS } from '../../src/report/reserve.js';
import { VirtualClock } from '../../src/util/clock.js';
import { FileBudgetStore } from '../../src/zoom/budget-file.js';
import type { ZoomClient } from '../../src/zoom/client.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { s2sClient } from '../helpers/sim.js';

/**
 * Reports sharing one budget file, in one process (each its own DailyBudget on the file, as
 * each `qoswatch report` has), on a clock the test holds: a report that waits is held in its
 * sleep until the test has changed what it waits for. No call leaves (the budget alone is
 * exercised: the multi-process test is shared-budget.test.ts).
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-reserve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function reports(name: string, pool: number, clock: VirtualClock, n: number): ZoomClient[] {
  const state = join(dir, name);
  return Array.from({ length: n }, () =>
    s2sClient(
      { url: 'http://127.0.0.1:9', clock },
      {
        budgetStore: new FileBudgetStore(state, 'zoom'),
        limits: { ...PLAN_DEFAULTS.business, dailyPool: pool },
      },
    ),
  );
}
const file = (name: string) =>
  JSON.parse(readFileSync(join(dir, name, 'budget-zoom.json'), 'utf8')) as {
    used: number;
    reservations?: { calls: number; sizing?: boolean }[];
  };
const spend = (c: ZoomClient, n: number): void => {
  for (let i = 0; i < n; i++) c.budget.take('x');
};

describe('reservations of reports started together', () => {
  it('one report at a time reads its details (the sizing turn); the others wait, reserving nothing', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));
    const [a, b] = reports('turn', 16, clock, 2);
    const told: string[] = [];
    await reserveFirst(a!, 4, 0, 'report', { clock });
    const release = clock.hold();
    let bDone = false;
    const bFirst = reserveFirst(b!, 4, 0, 'report', { clock, onWait: (m) => told.push(m) }).then(() => {
      bDone = true;
    });
    expect(told[0]).toMatch(
      /waiting for another report or inspection \(pid \d+\) to read its instance's details/,
    );
    expect(file('turn').reservations).toEqual([expect.objectContaining({ calls: 4, sizing: true })]);
    spend(a!, 1); // a's details: 25 joins, 8 calls in all
    await growReservation(a!, 8, 1, 0, 'report', { clock });
    const grown = file('turn').reservations;
    expect(grown).toHaveLength(1);
    expect(grown?.[0]).toMatchObject({ pid: process.pid, calls: 7 });
    expect(grown?.[0]).not.toHaveProperty('sizing'); // the turn given back
    expect(bDone).toBe(false);
    release();
    await bFirst; // the turn is b's now: 16 - 1 used - 7 reserved leaves room for its 4
    expect(b!.budget.reservedHere()).toBe(4);
    spend(b!, 1);
    await growReservation(b!, 8, 1, 0, 'report', { clock });
    expect(b!.budget.reservedHere()).toBe(7);
    expect(file('turn')).toMatchObject({ used: 2 });
    expect(file('turn').reservations?.map((r) => r.calls)).toEqual([7, 7]);
  });

  it('a report that cannot grow gives back its first reservation, waits for the others, and grows when they release', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));
    const [a, b] = reports('grow', 16, clock, 2);
    // a holds 10 (its count foretold 25 joins; it will make 3).
    expect(a!.budget.reserve(10, 0)).toBe('granted');
    await reserveFirst(b!, 4, 0, 'report', { clock });
    spend(b!, 1);
    const release = clock.hold();
    const told: string[] = [];
    let grown = false;
    const bGrow = growReservation(b!, 8, 1, 0, 'report', { clock, onWait: (m) => told.push(m) }).then(() => {
      grown = true;
    });
    // Refused (16 - 1 - 10 < 7): its own 3 given back, the turn kept, waiting for a's 10.
    expect(told[0]).toMatch(/needs 7 API calls more and other reports or inspections hold 10 calls/);
    expect(file('grow').reservations).toEqual(
      expect.arrayContaining([expect.objectContaining({ calls: 0, sizing: true })]),
    );
    expect(b!.budget.reservedHere()).toBe(0);
    spend(a!, 3);
    a!.budget.unreserve();
    expect(grown).toBe(false);
    release();
    await bGrow; // 16 - 4 used: room for its 7
    expect(b!.budget.reservedHere()).toBe(7);
    expect(file('grow').reservations).toEqual([expect.not.objectContaining({ sizing: true })]);
  });

  it('bounded: refused after the wait, or at once when no reservation of the others is left to wait for', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));
    const [a, b] = reports('bound', 16, clock, 2);
    expect(a!.budget.reserve(10, 0)).toBe('granted'); // never released
    await reserveFirst(b!, 4, 0, 'report', { clock });
    spend(b!, 1);
    const start = clock.now();
    await expect(growReservation(b!, 8, 1, 0, 'report', { clock })).rejects.toThrow(
      /needs about 7 API calls more, and 5 are left of today's budget after waiting 120 s .* it stopped after 1 API call/,
    );
    expect(clock.now() - start).toBeGreaterThanOrEqual(RESERVE_WAIT_MS);
    // Its turn is given back: another report is not held up by it.
    expect(file('bound').reservations).toEqual([expect.objectContaining({ calls: 10 })]);
    // Nothing to wait for (the daemon spent the rest): refused at once, clock unmoved.
    a!.budget.unreserve();
    spend(a!, 11);
    const [c] = reports('bound', 16, clock, 1);
    await reserveFirst(c!, 4, 0, 'report', { clock });
    spend(c!, 1);
    const at = clock.now();
    await expect(growReservation(c!, 8, 1, 0, 'report', { clock })).rejects.toThrow(
      /needs about 7 API calls more/,
    );
    expect(clock.now()).toBe(at);
  });
});
