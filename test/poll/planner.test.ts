import { describe, expect, it } from 'vitest';
import { plan, SAVE_CYCLES, type PlanCandidate, type PlanInput } from '../../src/poll/planner.js';

const DAY = 86_400_000;
const meetings = (n: number, participants: number, extra: Partial<PlanCandidate> = {}): PlanCandidate[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `m${i}`,
    cost: Math.ceil(participants / 10),
    participants,
    alerting: false,
    ...extra,
  }));

const base: Omit<PlanInput, 'candidates'> = {
  now: 0,
  budgetRemaining: 60_000,
  msUntilReset: DAY,
  discoveryIntervalMs: 60_000,
  discoverySources: 0,
  heavyPerSecond: 40,
  minIntervalMs: 60_000,
  maxIntervalMs: 4 * 3_600_000,
};

const cases: { name: string; input: Partial<PlanInput>; candidates: PlanCandidate[]; fullCycleMs: number }[] =
  [
    // The facts sheet: 100 meetings of 50 cost 500 calls a cycle; 60,000 a day allow one every 12 minutes.
    {
      name: '100 meetings x 50, Business pool',
      input: {},
      candidates: meetings(100, 50),
      fullCycleMs: 12 * 60_000,
    },
    {
      name: 'half the day gone, half the pool left',
      input: { budgetRemaining: 30_000, msUntilReset: DAY / 2 },
      candidates: meetings(100, 50),
      fullCycleMs: 12 * 60_000,
    },
    {
      name: 'a share of 25% of the pool',
      input: { budgetRemaining: 15_000 },
      candidates: meetings(100, 50),
      fullCycleMs: 48 * 60_000,
    },
    {
      name: 'Pro pool, 20 meetings x 30',
      input: { budgetRemaining: 30_000 },
      candidates: meetings(20, 30),
      fullCycleMs: 172_800,
    },
    {
      name: 'small load: Zoom samples once a minute',
      input: {},
      candidates: meetings(10, 20),
      fullCycleMs: 60_000,
    },
    {
      name: 'per-second limit binds',
      input: { budgetRemaining: 10_000_000, minIntervalMs: 1000, heavyPerSecond: 10 },
      candidates: meetings(50, 100),
      fullCycleMs: 50_000,
    },
    {
      // Listing every 10 minutes (9.5 with isDue's 30 s slack) is 152 calls a day off the
      // 10,000, while the 20 calls of a full cycle come round faster than that.
      name: 'discovery slower than the cycle: its reserve comes off the budget',
      input: { budgetRemaining: 10_000, discoveryIntervalMs: 600_000, discoverySources: 1 },
      candidates: meetings(10, 20),
      fullCycleMs: (20 * DAY) / (10_000 - 152),
    },
    {
      // Discovery runs at a cycle, so with 12-minute cycles it lists every 12 minutes, not every
      // 3.2 s: 2 sources cost 2 calls a cycle, not 54,000 a day (the old reserve left 6,000 of
      // the 60,000 for polling, and a 2-hour cycle).
      name: 'discovery faster than the cycle runs once a cycle',
      input: { discoveryIntervalMs: 3200, discoverySources: 2 },
      candidates: meetings(100, 50),
      fullCycleMs: (502 * DAY) / (60_000 - 2),
    },
  ];

describe('the cycle equals the budget-optimal cycle', () => {
  it.each(cases)('$name', ({ input, candidates, fullCycleMs }) => {
    const p = plan({ ...base, ...input, candidates });
    expect(p.fullCycleMs).toBeCloseTo(fullCycleMs, 0);
    expect(p.intervalMs).toBeCloseTo(fullCycleMs, 0);
    expect(p.selected).toHaveLength(candidates.length);
    expect(p.deferred).toHaveLength(0);
  });
});

describe('when the budget is short', () => {
  const short = { ...base, maxIntervalMs: 6 * 60_000 }; // full cycle needs 12 minutes: half fits
  it('polls half the calls per cycle at the max interval', () => {
    const p = plan({ ...short, candidates: meetings(100, 50) });
    expect(p.intervalMs).toBe(6 * 60_000);
    expect(p.allowedCalls).toBe(250);
    expect(p.selected).toHaveLength(50);
  });

  it('chooses alerting instances first, then the longest unpolled, then the larger', () => {
    const now = 10_000_000;
    const candidates: PlanCandidate[] = [
      { key: 'small-old', cost: 100, participants: 1000, lastPolledAt: now - 15 * 60_000, alerting: false },
      { key: 'alerting', cost: 100, participants: 1000, lastPolledAt: now - 60_000, alerting: true },
      { key: 'big-recent', cost: 100, participants: 1000, lastPolledAt: now - 8 * 60_000, alerting: false },
      { key: 'newest', cost: 100, participants: 1000, lastPolledAt: now - 30_000, alerting: false },
      {
        key: 'bigger-same-age',
        cost: 100,
        participants: 2000,
        lastPolledAt: now - 8 * 60_000,
        alerting: false,
      },
    ];
    // 48,000 calls over a day allow 200 in a 6-minute cycle; 96,000 allow 400.
    const p = plan({ ...short, now, budgetRemaining: 48_000, candidates });
    expect(p.allowedCalls).toBe(200);
    expect(p.selected).toEqual(['alerting', 'small-old']);
    const q = plan({ ...short, now, budgetRemaining: 96_000, candidates });
    expect(q.selected).toEqual(['alerting', 'small-old', 'bigger-same-age', 'big-recent']);
  });

  it("breaks a tie by the key's code units, the same order whatever the machine's locale", () => {
    // Zoom's UUIDs are base64: case and + / = matter. localeCompare (no locale) put "a" before
    // "B" and "/" after letters in en; code units put "/" first, then upper case, then lower.
    const keys = ['b==', 'B==', 'a+', 'A/', '/x==', 'a'];
    const p = plan({
      ...base,
      candidates: keys.map((key) => ({ key, cost: 1, participants: 1, alerting: false })),
    });
    expect(p.selected).toEqual(['/x==', 'A/', 'B==', 'a', 'a+', 'b==']);
    expect(p.selected).toEqual([...keys].sort());
  });

  it('starves nobody: an overdue instance goes ahead of alerting ones', () => {
    const now = 100 * 60 * 60_000;
    const candidates: PlanCandidate[] = [
      { key: 'alerting', cost: 100, participants: 10, lastPolledAt: now - 60_000, alerting: true },
      {
        key: 'forgotten',
        cost: 100,
        participants: 10,
        lastPolledAt: now - 3 * short.maxIntervalMs,
        alerting: false,
      },
      { key: 'never', cost: 100, participants: 10, alerting: false },
    ];
    const p = plan({ ...short, now, budgetRemaining: 48_000, candidates });
    expect(p.selected).toEqual(['never', 'forgotten']);
  });

  it('keeps back one discovery a cycle, not one every discovery_interval, when the cap bites', () => {
    // 1,000 calls a day, 2 sources listed every 20 s: a reserve of 8,640 left 0 calls for polls.
    // At the 10-minute cap discovery runs 144 times a day: 288 calls, 712 left, 4 a cycle.
    const p = plan({
      ...base,
      maxIntervalMs: 600_000,
      budgetRemaining: 1000,
      discoveryIntervalMs: 20_000,
      discoverySources: 2,
      candidates: meetings(10, 30),
    });
    expect(p.intervalMs).toBe(600_000);
    expect(p.allowedCalls).toBe(Math.floor((712 * 600_000) / DAY));
    expect(p.allowedCalls).toBe(4);
    expect(p.selected).toEqual(['m0']);
  });

  it('sends nothing when the budget is gone', () => {
    const p = plan({ ...base, budgetRemaining: 0, candidates: meetings(3, 10) });
    expect(p.selected).toEqual([]);
    expect(p.intervalMs).toBe(base.maxIntervalMs);
  });

  it('saves for an instance that alone costs more than a cycle allows, then polls it, if the day can pay', () => {
    const input = {
      ...short,
      budgetRemaining: 1000,
      candidates: [
        { key: 'huge', cost: 5, participants: 50, alerting: false },
        { key: 'small', cost: 1, participants: 3, alerting: false, lastPolledAt: 0 },
      ],
    };
    // 1,000 calls over a day are 4.17 a 6-minute cycle: the head costs 5. Before, it went at
    // once (5 calls in a cycle that allowed 4); now the first cycle keeps its share, and nothing
    // behind the head jumps the queue.
    const first = plan(input);
    expect(first.allowedCalls).toBe(4);
    expect(first.selected).toEqual([]);
    expect(first.deferred).toEqual(['huge', 'small']);
    expect(first.credit).toBeCloseTo((1000 * 6) / (24 * 60), 6);
    const second = plan({ ...input, credit: first.credit });
    expect(second.allowedCalls).toBe(8);
    expect(second.selected).toEqual(['huge', 'small']);
    expect(second.credit).toBe(0);
  });

  it('saves a share below one call a cycle until it pays for one', () => {
    // 100 calls a day are 0.42 a 6-minute cycle: 3 cycles save for the one-call instance.
    const input = { ...short, budgetRemaining: 100, candidates: meetings(1, 5) };
    let credit = 0;
    const selected: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const p = plan({ ...input, credit });
      expect(p.selected.length).toBeLessThanOrEqual(p.allowedCalls);
      selected.push(p.selected);
      credit = p.credit;
    }
    expect(selected).toEqual([[], [], ['m0']]);
  });

  it('saves for an expensive head SAVE_CYCLES cycles at most, then borrows the rest from the day', () => {
    // 1,000 calls a day are 4.17 a 6-minute cycle; a meeting of 5,000 costs 500. Saving for it
    // would stall the small ones behind it for 120 cycles (12 hours): it goes at the third.
    const input = {
      ...short,
      budgetRemaining: 1000,
      candidates: [
        { key: 'huge', cost: 500, participants: 5000, alerting: false },
        { key: 'small', cost: 1, participants: 3, alerting: false, lastPolledAt: 0 },
      ],
    };
    let credit = 0;
    const selected: string[][] = [];
    for (let i = 0; i < SAVE_CYCLES; i++) {
      const p = plan({ ...input, credit });
      selected.push(p.selected);
      credit = p.credit;
    }
    expect(selected).toEqual([[], [], ['huge']]);
    expect(credit).toBe(0);
    // Polled, it is no longer the head: the small one goes next cycle.
    const at = 3 * 6 * 60_000;
    const next = plan({
      ...input,
      now: at + 6 * 60_000,
      budgetRemaining: 500,
      candidates: [{ ...input.candidates[0]!, lastPolledAt: at }, input.candidates[1]!],
    });
    expect(next.selected).toEqual(['small']);
  });

  it('passes over an instance the day cannot pay for', () => {
    const p = plan({
      ...short,
      budgetRemaining: 100,
      candidates: [
        { key: 'huge', cost: 500, participants: 5000, alerting: false },
        { key: 'small', cost: 1, participants: 3, alerting: false, lastPolledAt: 0 },
      ],
      credit: 1,
    });
    expect(p.selected).toEqual(['small']);
    expect(p.credit).toBe(0);
  });
});
