import { didYouMean } from '../util/did-you-mean.js';
import { compilePattern, isPattern } from '../util/patterns.js';
import type { RouteTree, RouteWarning } from './route-check.js';
import type { InhibitSettings, SilenceSettings } from './settings.js';

/** Rule names listed in a message; more are summed up. */
const LISTED = 20;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, LISTED).join(', ');
  return names.length > LISTED ? `${shown} and ${names.length - LISTED} more` : shown || '(none)';
}

/** The message for a value of an `alertname` matcher that matches no rule name. */
function noRule(value: string, names: readonly string[], effect: string): string {
  const literal = !value.includes('*') && !(value.length > 2 && value.startsWith('/') && value.endsWith('/'));
  const hint = literal ? didYouMean(value, names) : undefined;
  const what = literal ? `no loaded rule is named "${value}"` : `no loaded rule's name matches "${value}"`;
  return `${what}${hint ? ` (did you mean "${hint}"?)` : ''}${effect}; expected the name of a loaded rule: ${listed(names)}`;
}

/**
 * The values of an `alertname` matcher (at `path`) that match no rule name: an alert's alertname
 * is its rule's name, so such a value matches no alert; when no value names a rule, the matcher
 * matches nothing. Negations (`!name`) are left alone: one that names no rule excludes nothing,
 * which is harmless. At the value (`atValue`), with the closest rule name when there is one.
 */
function alertnameWarnings(
  path: (string | number)[],
  value: string | string[] | undefined,
  ruleNames: readonly string[],
  nothing: string,
): RouteWarning[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const unknown = values.map((v) => {
    const p = v.startsWith('!') ? undefined : compilePattern(v);
    return p !== undefined && isPattern(p) && !ruleNames.some((n) => p.test(n));
  });
  const all = unknown.filter(Boolean).length === values.filter((v) => !v.startsWith('!')).length;
  const effect = all ? `, so ${nothing}` : ', so this value matches no alert';
  return values.flatMap((v, k) =>
    unknown[k]
      ? [
          {
            path: [...path, ...(Array.isArray(value) ? [k] : [])],
            message: noRule(v, ruleNames, effect),
            atValue: true,
          },
        ]
      : [],
  );
}

/** Silences whose `alertname` matcher names no rule the daemon runs (`wifi-signal-weeak`). */
export function silenceAlertnameWarnings(
  silences: readonly SilenceSettings[],
  ruleNames: readonly string[],
): RouteWarning[] {
  return silences.flatMap((s, i) =>
    alertnameWarnings(
      ['silences', i, 'matchers', 'alertname'],
      s.matchers.alertname,
      ruleNames,
      'this silence holds back nothing',
    ),
  );
}

/**
 * Routes whose `match` has an `alertname` value no loaded rule has (`audio-latency-hgih`): the
 * route, and every route under it, takes no alert by it; they go to the next route or the parent.
 */
export function routeAlertnameWarnings(
  route: RouteTree,
  ruleNames: readonly string[],
  path: (string | number)[] = ['route'],
): RouteWarning[] {
  return [
    ...alertnameWarnings(
      [...path, 'match', 'alertname'],
      route.match?.alertname,
      ruleNames,
      'this route (and every route under it) takes no alert',
    ),
    ...(route.routes ?? []).flatMap((child, i) =>
      routeAlertnameWarnings(child, ruleNames, [...path, 'routes', i]),
    ),
  ];
}

/** Inhibit rules whose source or target `alertname` names no loaded rule: they mute nothing. */
export function inhibitAlertnameWarnings(
  rules: readonly InhibitSettings[],
  ruleNames: readonly string[],
): RouteWarning[] {
  return rules.flatMap((r, i) => [
    ...alertnameWarnings(
      ['inhibit_rules', i, 'source_match', 'alertname'],
      r.sourceMatch.alertname,
      ruleNames,
      'no alert is a source and this inhibit rule mutes nothing',
    ),
    ...alertnameWarnings(
      ['inhibit_rules', i, 'target_match', 'alertname'],
      r.targetMatch.alertname,
      ruleNames,
      'no alert is a target and this inhibit rule mutes nothing',
    ),
  ]);
}
