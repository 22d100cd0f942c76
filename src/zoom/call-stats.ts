import type { Category } from './limits.js';

export type CallOutcome =
  | 'ok'
  | 'ended'
  | 'unauthorized'
  | 'rate_limited'
  | 'daily_limited'
  | 'server_error'
  | 'client_error'
  | 'network_error'
  | 'timeout'
  | 'bad_response';

/** Every call to Zoom, counted by endpoint, category and outcome (the metrics issue exports it). */
export class CallStats {
  private readonly counts = new Map<
    string,
    { endpoint: string; category: Category; outcome: CallOutcome; count: number }
  >();
  /** Last `X-RateLimit-Remaining` seen per category and limit type. */
  readonly remaining = new Map<string, number>();
  lastSuccessAt: number | undefined;
  /** Listings stopped because Zoom's next_page_token never ended or came back, by endpoint. */
  readonly pageLoops = new Map<string, number>();
  /** 429s whose Retry-After was longer than qoswatch waits. */
  retryAfterCapped = 0;

  record(endpoint: string, category: Category, outcome: CallOutcome): void {
    const k = `${endpoint}|${category}|${outcome}`;
    const c = this.counts.get(k);
    if (c) c.count++;
    else this.counts.set(k, { endpoint, category, outcome, count: 1 });
  }

  entries(): { endpoint: string; category: Category; outcome: CallOutcome; count: number }[] {
    return [...this.counts.values()];
  }

  total(filter: Partial<{ endpoint: string; category: Category; outcome: CallOutcome }> = {}): number {
    let n = 0;
    for (const c of this.counts.values()) {
      if (filter.endpoint && c.endpoint !== filter.endpoint) continue;
      if (filter.category && c.category !== filter.category) continue;
      if (filter.outcome && c.outcome !== filter.outcome) continue;
      n += c.count;
    }
    return n;
  }
}
