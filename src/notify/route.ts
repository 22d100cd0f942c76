import { compileMatchers, type Matchers } from './matchers.js';
import type { Route } from './pipeline/routing.js';

export interface RawRoute {
  receiver?: string;
  match?: Matchers;
  continue?: boolean;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: RawRoute[];
}

export function compileRoute(
  raw: RawRoute,
  parent: Omit<Route, 'test' | 'routes' | 'continue'>,
  ms: (d: string) => number,
): Route {
  const r: Route = {
    receiver: raw.receiver ?? parent.receiver,
    test: compileMatchers(raw.match),
    continue: raw.continue ?? false,
    groupBy: raw.group_by ?? parent.groupBy,
    timing: {
      groupWaitMs: raw.group_wait ? ms(raw.group_wait) : parent.timing.groupWaitMs,
      groupIntervalMs: raw.group_interval ? ms(raw.group_interval) : parent.timing.groupIntervalMs,
      repeatIntervalMs: raw.repeat_interval ? ms(raw.repeat_interval) : parent.timing.repeatIntervalMs,
    },
    routes: [],
  };
  r.routes = (raw.routes ?? []).map((c) => compileRoute(c, r, ms));
  return r;
}
