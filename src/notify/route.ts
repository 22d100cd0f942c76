import { compileMatchers, type LabelTest, type Matchers } from './matchers.js';

export interface GroupTiming {
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

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

export interface Route {
  receiver: string;
  test: LabelTest;
  continue: boolean;
  groupBy: string[];
  timing: GroupTiming;
  routes: Route[];
}

/**
 * The routing tree, as Alertmanager's: an alert goes down the first child route that matches
 * (and on to later siblings when that child says `continue`); a route none of whose children
 * match takes the alert itself. The top route is the default.
 */
export function matchRoutes(route: Route, labels: Readonly<Record<string, string>>): Route[] {
  const out: Route[] = [];
  for (const child of route.routes) {
    if (!child.test(labels)) continue;
    out.push(...matchRoutes(child, labels));
    if (!child.continue) return out.length ? out : [route];
  }
  return out.length ? out : [route];
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
