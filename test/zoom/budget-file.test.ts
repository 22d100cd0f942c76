import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FileBudgetStore } from '../../src/zoom/budget-file.js';
import { DailyBudget } from '../../src/zoom/daily-budget.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { VirtualClock } from '../../src/util/clock.js';
import { s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

const LIVE = { type: 'live', from: '2026-11-20', to: '2026-11-20' };
let h: SimHarness | undefined;
const dir = mkdtempSync(join(tmpdir(), 'qw-budget-file-'));
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the daily budget file', () => {
  it('holds every call as it is made (no flush), and another budget on the file sees them', async () => {
    h = await startSim({ meetings: [{ id: 1, topic: 't', start: '0m', participants: [] }] });
    const state = join(dir, 'a');
    const client = s2sClient(h, { budgetStore: new FileBudgetStore(state, 'zoom') });
    await client.get(ENDPOINTS.meetings, {}, LIVE);
    await client.get(ENDPOINTS.meetings, {}, LIVE);
    const file = JSON.parse(readFileSync(join(state, 'budget-zoom.json'), 'utf8')) as { used: number };
    expect(file.used).toBe(2);
    // Another process's count on the same file (here a second budget): each sees the other's calls.
    const other = new DailyBudget(client.budget.pool, 1, h.clock, new FileBudgetStore(state, 'zoom'));
    other.take('x');
    expect(other.usedToday()).toBe(3);
    expect(other.usedHere()).toBe(1);
    expect(client.budget.usedToday()).toBe(3);
    expect(client.budget.usedHere()).toBe(2);
    expect(client.budget.remaining()).toBe(client.budget.allowance - 3);
  });

  it('never lets two counts on one file go over the allowance, and a call given back is freed for both', () => {
    const state = join(dir, 'b');
    const clock = new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));
    const a = new DailyBudget(5, 1, clock, new FileBudgetStore(state, 'zoom'));
    const b = new DailyBudget(5, 1, clock, new FileBudgetStore(state, 'zoom'));
    const taken = { a: 0, b: 0 };
    for (let i = 0; i < 10; i++) {
      for (const [k, budget] of [
        ['a', a],
        ['b', b],
      ] as const) {
        try {
          budget.take('x');
          taken[k]++;
        } catch {
          /* refused: the pool is used up */
        }
      }
    }
    expect(taken.a + taken.b).toBe(5);
    a.giveBack();
    expect(b.remaining()).toBe(1);
    b.take('x');
    expect(() => a.take('x')).toThrow(/share of the daily API pool \(5 calls\) is used up/);
    // A new UTC day starts from zero for both.
    clock.advance(86_400_000);
    expect(a.remaining()).toBe(5);
    b.take('x');
    expect(a.usedToday()).toBe(1);
  });
});
