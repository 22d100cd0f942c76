import { Counter, Gauge, type Registry } from 'prom-client';
import type { CallStatsView } from '../../zoom/call-stats.js';
import type { DailyBudget } from '../../zoom/daily-budget.js';
import { CATEGORIES, type Category } from '../../zoom/limits.js';

/** What the Zoom series read of one account's client. */
export interface ZoomAccountView {
  readonly stats: CallStatsView;
  readonly budget: Pick<DailyBudget, 'allowance' | 'usedToday' | 'remaining' | 'unlockedCalls'>;
  /** When calls of `category` may start again while Zoom's 429 pauses them (ZoomClient.pausedUntil). */
  pausedUntil(category: Category): number | undefined;
}

/** Calls to Zoom per account: requests by outcome, page loops, capped Retry-After, rate-limit headers, daily budget. */
// eslint-disable-next-line max-lines-per-function -- a table: one metric family declared after another
export function registerZoomMetrics(
  registry: Registry,
  accounts: () => Iterable<readonly [string, ZoomAccountView]>,
  now: () => number,
): void {
  const registers = [registry];
  new Counter({
    name: 'qoswatch_zoom_requests_total',
    help: 'Calls to Zoom by account, endpoint, rate-limit category and outcome.',
    labelNames: ['account', 'endpoint', 'category', 'outcome'],
    registers,
    collect() {
      this.reset();
      for (const [account, c] of accounts())
        for (const e of c.stats.entries())
          this.inc({ account, endpoint: e.endpoint, category: e.category, outcome: e.outcome }, e.count);
    },
  });
  new Counter({
    name: 'qoswatch_zoom_page_loops_total',
    help: "Listings stopped because Zoom's next_page_token never ended or came back, by endpoint.",
    labelNames: ['account', 'endpoint'],
    registers,
    collect() {
      this.reset();
      for (const [account, c] of accounts())
        for (const [endpoint, n] of c.stats.pageLoops) this.inc({ account, endpoint }, n);
    },
  });
  new Counter({
    name: 'qoswatch_zoom_retry_after_capped_total',
    help: '429s whose Retry-After was longer than qoswatch waits (24 h daily, 15 min when only the wait says daily, 5 min otherwise).',
    labelNames: ['account'],
    registers,
    collect() {
      this.reset();
      for (const [account, c] of accounts()) this.inc({ account }, c.stats.retryAfterCapped);
    },
  });
  new Counter({
    name: 'qoswatch_zoom_date_skewed_total',
    help: "Zoom answers whose Date was more than 5 minutes from this machine's clock (not taken as Zoom's clock).",
    labelNames: ['account'],
    registers,
    collect() {
      this.reset();
      for (const [account, c] of accounts()) this.inc({ account }, c.stats.dateSkewed);
    },
  });
  new Gauge({
    name: 'qoswatch_zoom_rate_limit_remaining',
    help: 'The last X-RateLimit-Remaining Zoom sent, by category and limit type.',
    labelNames: ['account', 'category', 'type'],
    registers,
    collect() {
      this.reset();
      for (const [account, c] of accounts())
        for (const [category, byType] of c.stats.remaining)
          for (const [type, v] of byType) this.set({ account, category, type }, v);
    },
  });
  new Gauge({
    name: 'qoswatch_zoom_rate_limit_paused_seconds',
    help: "Seconds until calls of the category may start again while a 429's Retry-After pauses them (0 when not paused).",
    labelNames: ['account', 'category'],
    registers,
    collect() {
      this.reset();
      for (const [account, c] of accounts())
        for (const category of CATEGORIES)
          this.set({ account, category }, Math.max(0, ((c.pausedUntil(category) ?? 0) - now()) / 1000));
    },
  });
  new Counter({
    name: 'qoswatch_zoom_budget_unlocked_calls_total',
    help: "Budget decisions (calls, a poll cycle's block) made without the budget file's lock: it was held by another process past 5 ms, or unusable. Counted here and added to the file at the next lock.",
    labelNames: ['account'],
    registers,
    collect() {
      this.reset();
      for (const [account, c] of accounts()) this.inc({ account }, c.budget.unlockedCalls);
    },
  });
  const budget = (name: string, help: string, read: (c: ZoomAccountView) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['account'],
      registers,
      collect() {
        this.reset();
        for (const [account, c] of accounts()) this.set({ account }, read(c));
      },
    });
  };
  budget(
    'qoswatch_zoom_daily_budget_calls',
    "qoswatch's share of the account's daily API pool, in calls.",
    (c) => c.budget.allowance,
  );
  budget('qoswatch_zoom_daily_budget_used_calls', 'Calls made today (UTC day).', (c) => c.budget.usedToday());
  budget('qoswatch_zoom_daily_budget_remaining_calls', 'Calls qoswatch may still make today.', (c) =>
    c.budget.remaining(),
  );
}
