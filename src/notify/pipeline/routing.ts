/** The routing tree as the pipeline reads it: compiled from the config by notify/route.ts. */

/** A route's `continue` unless it says otherwise (config/defaults.ts re-uses it). */
export const ROUTE_CONTINUE_DEFAULT = false;

export interface GroupTiming {
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

export interface Route {
  receiver: string;
  /** Whether an alert's labels match the route (compiled from its `match`). */
  test: (labels: Readonly<Record<string, string>>) => boolean;
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
