import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { matcherProblems, type Matchers } from '../notify/matchers.js';
import { NOTIFIERS } from '../notify/registry.js';
import type { RawRoute } from '../notify/route.js';
import type { NotifierSettings, NotifySettings } from '../notify/settings.js';
import { durationMs } from '../util/duration.js';
import { DEFAULTS } from './defaults.js';
import { problemAt, readSecretFile, type ParseContext, type SettingPath } from './parse-context.js';

/** Each notifier's settings: unique names, secrets read from `*_file`, required settings there. */
function notifiers(ctx: ParseContext, names: Set<string>): NotifierSettings[] {
  return (ctx.raw.notifiers ?? []).map((n, i) => {
    if (names.has(n.name))
      problemAt(ctx, ['notifiers', i, 'name'], `notifier "${n.name}" is defined twice; names must be unique`);
    names.add(n.name);
    const plugin = NOTIFIERS.find((p) => p.type === n.type);
    const out: NotifierSettings = { ...n };
    for (const secret of plugin?.secrets ?? []) {
      const file = n[`${secret}_file`];
      if (typeof file !== 'string') continue;
      const at = ['notifiers', i, `${secret}_file`];
      if (n[secret] !== undefined) problemAt(ctx, at, `give ${secret} or ${secret}_file, not both`, true);
      const value = readSecretFile(ctx, at, file, 'the secret', false);
      if (value !== undefined) out[secret] = value;
      delete out[`${secret}_file`];
    }
    for (const r of plugin?.required ?? [])
      if (out[r] === undefined)
        problemAt(
          ctx,
          ['notifiers', i],
          `missing required setting "${r}"${(plugin?.secrets ?? []).includes(r) ? ` (or "${r}_file")` : ''}`,
        );
    if (n.type === 'module' && typeof n.module === 'string') {
      out.module = resolve(ctx.base, n.module);
      const problem = moduleFileProblem(out.module);
      if (problem) problemAt(ctx, ['notifiers', i, 'module'], problem);
    }
    return out;
  });
}

/** Receiver names that exist, matchers RE2 compiles, valid time zones and silence dates. */
function checkRouting(ctx: ParseContext, names: ReadonlySet<string>, notifierCount: number): void {
  const { raw } = ctx;
  /** Regexes in matchers run on RE2; one that RE2 cannot compile is named at its place. */
  const checkMatchers = (m: Matchers | undefined, path: SettingPath): void => {
    for (const p of matcherProblems(m)) problemAt(ctx, [...path, ...p.path], p.error);
  };
  const checkReceivers = (route: RawRoute | undefined, path: SettingPath): void => {
    if (!route) return;
    checkMatchers(route.match, [...path, 'match']);
    if (route.receiver !== undefined && !names.has(route.receiver))
      problemAt(
        ctx,
        [...path, 'receiver'],
        `found "${route.receiver}"; expected the name of a notifier: ${[...names].join(', ') || '(none defined)'}`,
      );
    route.routes?.forEach((r, i) => checkReceivers(r, [...path, 'routes', i]));
  };
  checkReceivers(raw.route, ['route']);
  if (notifierCount && !raw.route?.receiver && names.size > 1 && raw.route)
    problemAt(ctx, ['route'], 'the top route needs a receiver (the default notifier)');
  (raw.inhibit_rules ?? []).forEach((r, i) => {
    checkMatchers(r.source_match, ['inhibit_rules', i, 'source_match']);
    checkMatchers(r.target_match, ['inhibit_rules', i, 'target_match']);
  });
  (raw.silences ?? []).forEach((s, i) => {
    checkMatchers(s.matchers, ['silences', i, 'matchers']);
    const zone = s.recurring?.time_zone;
    if (zone) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
      } catch {
        problemAt(
          ctx,
          ['silences', i, 'recurring', 'time_zone'],
          `found "${zone}"; expected an IANA time zone such as Europe/Berlin`,
        );
      }
    }
    if (s.starts && s.ends && Date.parse(s.starts) >= Date.parse(s.ends))
      problemAt(ctx, ['silences', i, 'ends'], 'the silence ends before it starts');
  });
}

/** `notifiers:`, `route:`, `silences:`, `inhibit_rules:` and `delivery:` as notify/ takes them. */
export function notifySettings(ctx: ParseContext): NotifySettings {
  const names = new Set<string>();
  const list = notifiers(ctx, names);
  checkRouting(ctx, names, list.length);
  const { raw } = ctx;
  const d = { ...DEFAULTS.delivery, ...raw.delivery };
  return {
    notifiers: list,
    route: raw.route ?? {},
    silences: raw.silences ?? [],
    inhibitRules: raw.inhibit_rules ?? [],
    delivery: {
      retryInitialMs: durationMs(d.retry_initial),
      retryMaxMs: durationMs(d.retry_max),
      giveUpAfterMs: durationMs(d.give_up_after),
      timeoutMs: durationMs(d.timeout),
    },
  };
}

/** Why a notifier module cannot be loaded, as far as can be told without running it. */
function moduleFileProblem(file: string): string | undefined {
  const expected = 'expected a JavaScript module file (.js, .mjs) exporting a NotifierPlugin';
  if (!/\.(c|m)?js$/.test(file)) return `${file} is not a .js or .mjs file; ${expected}`;
  try {
    if (!statSync(file).isFile()) return `${file} is not a file; ${expected}`;
    accessSync(file, constants.R_OK);
  } catch (err) {
    return `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); ${expected}`;
  }
  return undefined;
}
