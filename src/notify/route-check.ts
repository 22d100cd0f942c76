import { didYouMean } from '../util/did-you-mean.js';
import { compileMatchers, type Matchers } from './matchers.js';
import type { InhibitSettings, SilenceSettings } from './settings.js';

/** What the check reads of a route, as written or as config/ typed it. */
export interface RouteTree {
  receiver?: string;
  match?: Matchers;
  groupBy?: string[];
  continue?: boolean;
  routes?: RouteTree[];
}

/** A route setting worth a warning: where it is (a config path) and why. */
export interface RouteWarning {
  path: (string | number)[];
  message: string;
  /** Said at the value at `path`, not at its key. */
  atValue?: boolean;
}

/** A matcher value that matches exactly one string (case aside): no glob, regex or negation. */
const literal = (v: string): boolean =>
  !v.startsWith('!') && !v.includes('*') && !(v.length > 2 && v.startsWith('/') && v.endsWith('/'));

/**
 * Whether some alert could match both matcher sets. Conservative: only two lists of plain
 * values on one label with nothing in common prove that no alert matches both.
 */
export function couldOverlap(a: Matchers | undefined, b: Matchers | undefined): boolean {
  for (const [label, av] of Object.entries(a ?? {})) {
    const bv = b?.[label];
    if (bv === undefined) continue;
    const as = (Array.isArray(av) ? av : [av]).map((v) => v.toLowerCase());
    const bs = (Array.isArray(bv) ? bv : [bv]).map((v) => v.toLowerCase());
    if (as.every(literal) && bs.every(literal) && !as.some((v) => bs.includes(v))) return false;
  }
  return true;
}

/**
 * `continue: true` only goes on to later *sibling* routes (as in Alertmanager): the parent's
 * receiver is not used once a child matched. A continue route with no later sibling that
 * could match the same alert promises a second receiver that never gets it.
 */
export function continueWarnings(route: RouteTree, path: (string | number)[] = ['route']): RouteWarning[] {
  const out: RouteWarning[] = [];
  const children = route.routes ?? [];
  children.forEach((child, i) => {
    const here = [...path, 'routes', i];
    if (child.continue && !children.slice(i + 1).some((s) => couldOverlap(child.match, s.match))) {
      const fallback = route.receiver ? ` such as - { receiver: ${route.receiver} }` : '';
      out.push({
        path: [...here, 'continue'],
        message:
          `continue: true, but no later sibling route could match what this route matches, so those alerts reach ` +
          `${child.receiver ?? route.receiver ?? 'its receiver'} only (the parent's receiver is not used once a child route matched); ` +
          `add a catch-all route after it${fallback}, or remove continue`,
      });
    }
    out.push(...continueWarnings(child, here));
  });
  return out;
}

/**
 * A silence whose every matcher matches the empty string (`team: '!ops'`, `'*'`, a regex matching ''): a
 * label an alert lacks reads as '' (as in Alertmanager), so it holds back every alert that has
 * none of its labels, not only the ones it names.
 */
export function silenceWarnings(silences: readonly { matchers: Matchers }[]): RouteWarning[] {
  const out: RouteWarning[] = [];
  silences.forEach((s, i) => {
    if (!compileMatchers(s.matchers)({})) return;
    const labels = Object.keys(s.matchers);
    out.push({
      path: ['silences', i, 'matchers'],
      message:
        `every matcher of this silence matches an alert without its label (${labels.join(', ')}): a missing label reads as '', ` +
        `as in Alertmanager, so it holds back every alert without ${labels.length === 1 ? 'that label' : 'those labels'} too, ` +
        `nearly everything; add a matcher that names what to silence (alertname: ..., instance: ...)`,
    });
  });
  return out;
}

/** That no alert carries `label`, what follows (`effect`), and the labels alerts carry. */
function unknownLabel(label: string, labels: readonly string[], effect: string): string {
  const hint = didYouMean(label, labels);
  return `no alert carries the label "${label}"${hint ? ` (did you mean "${hint}"?)` : ''}${effect}; expected a label alerts carry: ${labels.join(', ')}`;
}

/**
 * The names of `given` (an alert's labels asked about: `qoswatch routes --labels`) that no
 * alert carries, each with what was probably meant: a typo (`sevrity=critical`) answers for an
 * alert that never exists.
 */
export function unknownGivenLabels(given: readonly string[], labels: readonly string[]): string[] {
  return given
    .filter((label) => !labels.includes(label))
    .map((label) => unknownLabel(label, labels, ', so no alert has these labels'));
}

/**
 * The names of a label list (at `path`: equal, group_by) that no alert carries; `effect` says what
 * follows. `...` (group_by: every alert alone) names no label.
 */
function unknownNameWarnings(
  path: (string | number)[],
  names: readonly string[],
  labels: readonly string[],
  effect: string,
): RouteWarning[] {
  return names.flatMap((label, k) =>
    label === '...' || labels.includes(label)
      ? []
      : [{ path: [...path, k], message: unknownLabel(label, labels, effect) }],
  );
}

/**
 * The matchers (at `path`) on a label no alert carries (`labels`, alertLabelNames: a typo such
 * as `instnace`): such a matcher matches no alert (`nothing` says what that does) or, when it
 * matches '' (a negation), every alert.
 */
function unknownLabelWarnings(
  path: (string | number)[],
  matchers: Matchers,
  labels: readonly string[],
  nothing: string,
): RouteWarning[] {
  return Object.entries(matchers)
    .filter(([label]) => !labels.includes(label))
    .map(([label, value]) => ({
      path: [...path, label],
      message: unknownLabel(
        label,
        labels,
        compileMatchers({ [label]: value })({})
          ? `, and this matcher matches every alert (a missing label reads as '')`
          : `, so ${nothing}`,
      ),
    }));
}

/**
 * Silences that hold back nothing, or not what they say: a matcher on a label no alert carries
 * (unknownLabelWarnings); and an `ends` already past. The config is valid (rules, and so labels,
 * change on reload; a maintenance window ends while the file stays), so these are warnings, said
 * by `check` and logged at start-up and at each rule reload, at file:line:col.
 */
export function silenceReachWarnings(
  silences: readonly SilenceSettings[],
  labels: readonly string[],
  now: number,
): RouteWarning[] {
  const out: RouteWarning[] = [];
  silences.forEach((s, i) => {
    out.push(
      ...unknownLabelWarnings(
        ['silences', i, 'matchers'],
        s.matchers,
        labels,
        'this silence holds back nothing',
      ),
    );
    if (s.endsAt !== undefined && s.endsAt <= now)
      out.push({
        path: ['silences', i, 'ends'],
        message: `this silence ended at ${new Date(s.endsAt).toISOString()}, before now (${new Date(now).toISOString()}): it holds back nothing any more; expected an end still to come, or remove the silence`,
      });
  });
  return out;
}

/** Route `match`es and `group_by`s on a label no alert carries (warnings, as silenceReachWarnings says why). */
export function routeReachWarnings(
  route: RouteTree,
  labels: readonly string[],
  path: (string | number)[] = ['route'],
): RouteWarning[] {
  const out = route.match
    ? unknownLabelWarnings(
        [...path, 'match'],
        route.match,
        labels,
        'this route (and every route under it) takes no alert',
      )
    : [];
  out.push(
    ...unknownNameWarnings(
      [...path, 'group_by'],
      route.groupBy ?? [],
      labels,
      `, so every alert reads it as '' and it does not split this route's groups: alerts that differ only in it go out together`,
    ),
  );
  (route.routes ?? []).forEach((child, i) =>
    out.push(...routeReachWarnings(child, labels, [...path, 'routes', i])),
  );
  return out;
}

/**
 * Inhibit rules' source and target matchers, and `equal` labels, on a label no alert carries: a
 * source or target matcher that matches no alert mutes nothing; an `equal` label reads as '' on
 * both alerts, so it is always equal and does not narrow which targets a source mutes.
 */
export function inhibitReachWarnings(
  rules: readonly InhibitSettings[],
  labels: readonly string[],
): RouteWarning[] {
  const out: RouteWarning[] = [];
  rules.forEach((r, i) => {
    const at = ['inhibit_rules', i];
    out.push(
      ...unknownLabelWarnings(
        [...at, 'source_match'],
        r.sourceMatch,
        labels,
        'no alert is a source and this inhibit rule mutes nothing',
      ),
      ...unknownLabelWarnings(
        [...at, 'target_match'],
        r.targetMatch,
        labels,
        'no alert is a target and this inhibit rule mutes nothing',
      ),
    );
    out.push(
      ...unknownNameWarnings(
        [...at, 'equal'],
        r.equal,
        labels,
        `, so it reads as '' on every source and target and is always equal: it does not narrow which targets a source mutes`,
      ),
    );
  });
  return out;
}
