import { PageTokens } from './page-tokens.js';
import { listEnvelope } from './responses.js';
import { HttpError, queryType, type Ctx, type Page } from './route.js';

/**
 * Zoom's paging: `page_size` (checked against the endpoint's cap), `next_page_token`s that
 * expire, and the envelope each family of endpoints wraps a page in.
 */
export class Pager {
  private readonly tokens: PageTokens;

  constructor(pageTokenTtlMs: number) {
    this.tokens = new PageTokens(pageTokenTtlMs);
  }

  readonly page: Page = (ctx, list, max, dflt, items, key, render) => {
    queryType(ctx);
    const size = pageSize(ctx, max, dflt);
    const token = ctx.url.searchParams.get('next_page_token');
    let offset = 0;
    if (token) {
      const at = this.tokens.redeem(token, list, ctx.now);
      if (at === undefined) throw new HttpError(400, 300, 'The next page token is invalid or expired.');
      offset = at;
    }
    const slice = items.slice(offset, offset + size);
    const next = offset + size < items.length ? this.tokens.issue(list, offset + size, ctx.now) : '';
    const envelope = listEnvelope(ctx.now, size, items.length, next);
    // Video SDK answers carry a smaller envelope than the dashboard's (see the samples).
    if (key === 'users') return { page_size: size, next_page_token: next, users: slice.map(render) };
    if (key === 'sessions')
      return {
        from: envelope.from,
        to: envelope.to,
        page_size: size,
        next_page_token: next,
        sessions: slice.map(render),
      };
    // Only the lists of instances carry from/to; a participants list (QoS or not) has neither
    // (Zoom's spec and examples).
    if (key === 'participants') {
      delete envelope.from;
      delete envelope.to;
    }
    return { ...envelope, [key]: slice.map(render) };
  };
}

function pageSize(ctx: Ctx, max: number, dflt: number): number {
  const raw = ctx.url.searchParams.get('page_size');
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new HttpError(400, 300, `Invalid field: page_size must be 1 to ${max}.`);
  return n;
}
