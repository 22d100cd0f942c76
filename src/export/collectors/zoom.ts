import { Counter, Gauge, type Registry } from 'prom-client';
import type { CallStatsView } from '../../zoom/call-stats.js';
import type { DailyBudget } from '../../zoom/daily-budget.js';
import { CATEGORIES, type Category } from '../../zoom/limits.js';

/** What the Zoom series read of one account's client. */
export interface ZoomAccountView {
  readonly stats: CallStatsView;
  readonly budget: Pick<DailyBudget, 'allowance' | 'usedToday' | 'remaining' | 'unlockedCalls' | 'blocked'>;
  /** The pause that holds calls of `category` now, if any: when it ends (ZoomClient.pause). */
  pause(category: Category): { until: number } | undefined;
}

/** Help of the series with one value per account (registerZoomMetrics' perAccount). */
const PER_ACCOUNT_HELP = {
  qoswatch_zoom_retry_after_capped_total:
    "429s whose Retry-After was longer than qoswatch waits (daily: to the pool's reset at 00:00 UTC; 15 min when only the wait says daily; 5 min otherwise).",
  qoswatch_zoom_date_skewed_total:
    "Zoom answers whose Date was more than 5 minutes from this machine's clock (not taken as Zoom's clock).",
  qoswatch_zoom_budget_unlocked_calls_total:
    "Budget decisions (calls, a poll cycle's block) made without the budget file's lock: it was held by another process past 5 ms, or unusable. Counted here and added to the file at the next lock.",
  qoswatch_zoom_daily_budget_calls: "qoswatch's share of the account's daily API pool, in calls.",
  qoswatch_zoom_daily_budget_used_calls: 'Calls made today (UTC day).',
  qoswatch_zoom_daily_budget_remaining_calls: 'Calls qoswatch may still make today.',
  qoswatch_zoom_daily_limit_blocked_seconds:
    "Seconds until calls may go out again while Zoom's daily limit stops every call: a daily-limit 429, or Zoom's own count (X-RateLimit-Remaining of the daily pool at 0) until 00:00 UTC (0 when not).",
};

/** Calls to Zoom per account: requests by outcome, page loops, capped Retry-After, rate-limit headers, daily budget. */
// eslint-disable-next-line max-lines-per-function -- a table: one metric family declared after another
export function registerZoomMetrics(
  registry: Registry,
  accounts: () => Iterable<readonly [string, ZoomAccountView]>,
  now: () => number,
): void {
  const registers = [registry];
  /** One series per account, as `read` gives it of the account's client: a counter when named `_total`. */
  const perAccount = (name: keyof typeof PER_ACCOUNT_HELP, read: (c: ZoomAccountView) => number): void => {
    const config = { name, help: PER_ACCOUNT_HELP[name], labelNames: ['account'] as const, registers };
    if (name.endsWith('_total'))
      new Counter({
        ...config,
        collect() {
          this.reset();
          for (const [account, c] of accounts()) this.inc({ account }, read(c));
        },
      });
    else
      new Gauge({
        ...config,
        collect() {
          this.reset();
          for (const [account, c] of accounts()) this.set({ account }, read(c));
        },
      });
  };
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
  perAccount('qoswatch_zoom_retry_after_capped_total', (c) => c.stats.retryAfterCapped);
  perAccount('qoswatch_zoom_date_skewed_total', (c) => c.stats.dateSkewed);
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
    help: 'Seconds until calls of the category may start again while a 429 pauses them (as its Retry-After says, else one window) (0 when not paused).',
    labelNames: ['account', 'category'],
    registers,
    collect() {
      this.reset();
      for (const [account, c] of accounts())
        for (const category of CATEGORIES)
          this.set({ account, category }, Math.max(0, ((c.pause(category)?.until ?? 0) - now()) / 1000));
    },
  });
  perAccount('qoswatch_zoom_budget_unlocked_calls_total', (c) => c.budget.unlockedCalls);
  perAccount('qoswatch_zoom_daily_budget_calls', (c) => c.budget.allowance);
  perAccount('qoswatch_zoom_daily_budget_used_calls', (c) => c.budget.usedToday());
  perAccount('qoswatch_zoom_daily_budget_remaining_calls', (c) => c.budget.remaining());
  perAccount('qoswatch_zoom_daily_limit_blocked_seconds', (c) =>
    Math.max(0, (c.budget.blocked - now()) / 1000),
  );
}
