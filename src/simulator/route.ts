import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SourceKind } from '../normalize/sample.js';
import type { Category } from './rate-limits.js';
import type { Scenario, SimInstance, SimParticipant } from './scenario-types.js';
import type { World } from './world.js';

/** What a simulator route gets and answers: the request, its parsed URL and the virtual time. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  now: number;
  account: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A path's `meetings` or `webinars` as the instance kind. */
export const KIND: Record<string, SourceKind> = { meetings: 'meeting', webinars: 'webinar' };

export const notLive = (): HttpError => new HttpError(404, 3001, 'Meeting does not exist or has ended.');

/** A route: where it is, Zoom's rate-limit category, the page-size cap, and what it answers. */
export interface Route {
  name: string;
  pattern: RegExp;
  category: Category;
  auth: 's2s' | 'videosdk';
  handle: (ctx: Ctx, params: string[]) => unknown;
}

/**
 * One page of `items` (list `list`, at most `max` a page, `dflt` when not asked) under `key`,
 * as Zoom pages it (paging.ts).
 */
export type Page = <T>(
  ctx: Ctx,
  list: string,
  max: number,
  dflt: number,
  items: T[],
  key: string,
  render: (item: T) => unknown,
) => Record<string, unknown>;

/** What routes outside server.ts may use of the simulator. */
export interface RouteHost {
  readonly scenario: Scenario;
  readonly world: World;
  instance(kind: SourceKind, rawId: string, now: number, type?: 'live' | 'past'): SimInstance;
  readonly pager: { readonly page: Page };
  listed(inst: SimInstance, ctx: Ctx): SimParticipant[];
}

/** `type` of a request: `live` (Zoom's default) or `past`; anything else is refused as Zoom does. */
export function queryType(ctx: Ctx): 'live' | 'past' {
  const type = ctx.url.searchParams.get('type') ?? 'live';
  if (type !== 'live' && type !== 'past')
    throw new HttpError(400, 300, `Invalid field: type must be live or past, not ${type}.`);
  return type;
}
