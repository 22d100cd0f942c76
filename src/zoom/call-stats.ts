import type { Endpoint } from './endpoints.js';
import type { Category } from './limits.js';

export const CALL_OUTCOMES = [
  'ok',
  'ended',
  'unauthorized',
  'rate_limited',
  'daily_limited',
  'server_error',
  'client_error',
  'network_error',
  'timeout',
  'bad_response',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export interface CallCount {
  endpoint: string;
  category: Category;
  outcome: CallOutcome;
  count: number;
}

/** Read-only view of the counts, what metrics and the scheduler read. */
export interface CallStatsView {
  readonly lastSuccessAt: number | undefined;
  readonly retryAfterCapped: number;
  readonly dateSkewed: number;
  readonly pageLoops: ReadonlyMap<string, number>;
  /** Last `X-RateLimit-Remaining` seen, by category, then by limit type. */
  readonly remaining: ReadonlyMap<Category, ReadonlyMap<string, number>>;
  entries(): CallCount[];
  total(filter?: Partial<Omit<CallCount, 'count'>>): number;
}

/** Every call to Zoom, counted by endpoint and outcome (each endpoint has one category). */
export class CallStats implements CallStatsView {
  /** By endpoint, then by outcome. */
  private readonly counts = new Map<string, { category: Category; byOutcome: Map<CallOutcome, number> }>();
  readonly remaining = new Map<Category, Map<string, number>>();
  lastSuccessAt: number | undefined;
  /** Listings stopped because Zoom's next_page_token never ended or came back, by endpoint. */
  readonly pageLoops = new Map<string, number>();
  /** 429s whose Retry-After was longer than qoswatch waits. */
  retryAfterCapped = 0;
  /** Answers whose `Date` was more than 5 minutes from this machine's clock (not taken: zoom-clock.ts). */
  dateSkewed = 0;

  private endpoint(name: string, category: Category): Map<CallOutcome, number> {
    let e = this.counts.get(name);
    if (!e) this.counts.set(name, (e = { category, byOutcome: new Map() }));
    return e.byOutcome;
  }

  /** Endpoints a source calls: each outcome is counted from 0, so that rate() sees the first failure. */
  expect(endpoints: readonly Pick<Endpoint, 'name' | 'category'>[]): void {
    for (const ep of endpoints) {
      const byOutcome = this.endpoint(ep.name, ep.category);
      for (const outcome of CALL_OUTCOMES) if (!byOutcome.has(outcome)) byOutcome.set(outcome, 0);
    }
  }

  record(endpoint: string, category: Category, outcome: CallOutcome): void {
    const byOutcome = this.endpoint(endpoint, category);
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
  }

  observeRemaining(category: Category, type: string, remaining: number): void {
    let byType = this.remaining.get(category);
    if (!byType) this.remaining.set(category, (byType = new Map<string, number>()));
    byType.set(type, remaining);
  }

  pageLoop(endpoint: string): void {
    this.pageLoops.set(endpoint, (this.pageLoops.get(endpoint) ?? 0) + 1);
  }

  entries(): CallCount[] {
    const out: CallCount[] = [];
    for (const [endpoint, { category, byOutcome }] of this.counts)
      for (const [outcome, count] of byOutcome) out.push({ endpoint, category, outcome, count });
    return out;
  }

  total(filter: Partial<Omit<CallCount, 'count'>> = {}): number {
    let n = 0;
    for (const c of this.entries()) {
      if (filter.endpoint && c.endpoint !== filter.endpoint) continue;
      if (filter.category && c.category !== filter.category) continue;
      if (filter.outcome && c.outcome !== filter.outcome) continue;
      n += c.count;
    }
    return n;
  }
}
