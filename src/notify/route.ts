import { compileMatchers } from './matchers.js';
import { ROUTE_CONTINUE_DEFAULT, type Route } from './pipeline/routing.js';
import type { RouteSettings } from './settings.js';

/** The routing tree from the config's routes: a route takes what it leaves unset from its parent. */
export function compileRoute(raw: RouteSettings, parent: Omit<Route, 'test' | 'routes' | 'continue'>): Route {
  const r: Route = {
    receiver: raw.receiver ?? parent.receiver,
    test: compileMatchers(raw.match),
    continue: raw.continue ?? ROUTE_CONTINUE_DEFAULT,
    groupBy: raw.groupBy ?? parent.groupBy,
    timing: { ...parent.timing, ...raw.timing },
    routes: [],
  };
  r.routes = (raw.routes ?? []).map((c) => compileRoute(c, r));
  return r;
}
