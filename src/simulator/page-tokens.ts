import { hash32 } from './random.js';

interface PageState {
  list: string;
  offset: number;
  created: number;
}

/** `next_page_token`s that expire after the scenario's TTL (Zoom: 15 minutes), as Zoom's do. */
export class PageTokens {
  private readonly tokens = new Map<string, PageState>();
  private counter = 0;

  constructor(private readonly ttlMs: number) {}

  issue(list: string, offset: number, now: number): string {
    this.counter++;
    const token = (
      hash32(`${list}:${offset}:${this.counter}`).toString(36) + this.counter.toString(36)
    ).padEnd(12, 'x');
    this.tokens.set(token, { list, offset, created: now });
    return token;
  }

  /** The offset the token points at, or undefined when it is unknown, expired, or for another list. */
  redeem(token: string, list: string, now: number): number | undefined {
    for (const [k, v] of this.tokens) if (now - v.created > this.ttlMs) this.tokens.delete(k);
    const state = this.tokens.get(token);
    return state && state.list === list ? state.offset : undefined;
  }
}
