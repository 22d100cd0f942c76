import { budgetCycleMs, discoveryReserve } from './discovery-reserve.js';
import { codeUnitOrder } from '../util/code-unit-order.js';

/**
 * How long a cycle should be and which instances it polls: a pure function of what is live
 * and what the budget allows, so it can be tested case by case.
 */
export interface PlanCandidate {
  key: string;
  /** Calls one poll costs. */
  cost: number;
  participants: number;
  /** Last poll, epoch ms; undefined if never polled. */
  lastPolledAt?: number;
  /** It has a firing or pending alert. */
  alerting: boolean;
}

export interface PlanInput {
  now: number;
  candidates: readonly PlanCandidate[];
  /** Calls qoswatch may still make today. */
  budgetRemaining: number;
  /** Until the daily pool resets. */
  msUntilReset: number;
  /** `poll.discovery_interval`: discovery's calls are kept back at the pace it really runs. */
  discoveryIntervalMs: number;
  /** Sources listed at each discovery (one call each). */
  discoverySources: number;
  heavyPerSecond: number;
  minIntervalMs: number;
  maxIntervalMs: number;
  /**
   * Calls the cycles before kept unspent, saving for the instance at the head of the queue that
   * cost more than one cycle allowed (the last plan's `credit`; 0 when none waits).
   */
  credit?: number;
}

export interface Plan {
  /** Time from this cycle's start to the next one's. */
  intervalMs: number;
  /** The budget-optimal full cycle: the shortest that polls everything and can be sustained. */
  fullCycleMs: number;
  /** Calls a full cycle needs. */
  fullCycleCalls: number;
  /** Calls this cycle may make: its share of the budget, and the credit saved for its head. */
  allowedCalls: number;
  selected: string[];
  /** Instances left for a later cycle. */
  deferred: string[];
  /** Calls saved for the next cycle (the head of the queue costs more than this one allowed), else 0. */
  credit: number;
}

/** Polled longer ago than this many max intervals, an instance goes ahead of alerting ones: nothing starves. */
const OVERDUE_FACTOR = 3;

/**
 * Cycles a head that costs more than a cycle's share is saved for, at most: then it goes with
 * what was saved and the rest borrowed from the day, so the instances behind it do not wait
 * for `ceil(cost / share)` cycles (a meeting of 5,000 is 500 calls; with 4 a cycle, 125 cycles).
 */
export const SAVE_CYCLES = 3;

export function plan(input: PlanInput): Plan {
  const fullCycleCalls = input.candidates.reduce((n, c) => n + c.cost, 0);
  const msLeft = Math.max(1, input.msUntilReset);
  const { discoveryIntervalMs: every, discoverySources: sources } = input;
  const byBudget = budgetCycleMs(fullCycleCalls, input.budgetRemaining, msLeft, every, sources);
  const byQps = (fullCycleCalls / input.heavyPerSecond) * 1000;
  const fullCycleMs = Math.max(input.minIntervalMs, byBudget, byQps);
  const intervalMs = Math.min(fullCycleMs, input.maxIntervalMs);
  // Discovery runs at most once a cycle: what it keeps back depends on the cycle's length.
  const spendable = Math.max(
    0,
    input.budgetRemaining -
      discoveryReserve(msLeft, every, sources, Math.max(intervalMs, input.minIntervalMs)),
  );
  const rate = spendable / msLeft; // calls per ms the budget sustains
  // Unrounded, so a share below one call a cycle still adds up in the credit.
  const share =
    intervalMs >= fullCycleMs
      ? fullCycleCalls
      : Math.min(rate * intervalMs, (input.heavyPerSecond * intervalMs) / 1000, spendable);
  const saved = Math.min(share + (input.credit ?? 0), spendable);
  const allowedCalls = Math.floor(saved);

  const overdueAge = OVERDUE_FACTOR * input.maxIntervalMs;
  const age = (c: PlanCandidate): number =>
    c.lastPolledAt === undefined ? Infinity : input.now - c.lastPolledAt;
  const ordered = [...input.candidates].sort(
    (a, b) =>
      Number(age(b) >= overdueAge) - Number(age(a) >= overdueAge) ||
      Number(b.alerting) - Number(a.alerting) ||
      age(b) - age(a) ||
      b.participants - a.participants ||
      codeUnitOrder(a.key, b.key),
  );
  const selected: string[] = [];
  const deferred: string[] = [];
  let calls = 0;
  let credit = 0;
  for (const c of ordered) {
    if (calls + c.cost <= allowedCalls) {
      selected.push(c.key);
      calls += c.cost;
    } else if (selected.length === 0 && deferred.length === 0 && c.cost <= spendable) {
      // The head costs more than this cycle's share, but the day can pay: the cycle saves its
      // share for it, and the others wait behind it, so no cycle spends more than its share with
      // what the ones before it saved (it went at once before: 5 calls in a cycle allowed 4).
      // After SAVE_CYCLES cycles of saving (and one whole call at least: until then nobody
      // could go) it goes, borrowing the rest from the day, so the others wait no longer.
      // One the day cannot pay is passed over.
      if (saved >= SAVE_CYCLES * share - 1e-9 && saved >= 1) {
        selected.push(c.key);
        deferred.push(...ordered.slice(1).map((o) => o.key));
      } else {
        credit = saved;
        deferred.push(...ordered.map((o) => o.key));
      }
      break;
    } else deferred.push(c.key);
  }
  return { intervalMs, fullCycleMs, fullCycleCalls, allowedCalls, selected, deferred, credit };
}
