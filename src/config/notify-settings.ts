import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { matcherProblems, type Matchers } from '../notify/matchers.js';
import { NOTIFIERS } from '../notify/registry.js';
import type {
  ModuleNotifierSettings,
  NotifierSettings,
  NotifySettings,
  RouteSettings,
} from '../notify/settings.js';
import { durationMs } from '../util/duration.js';
import { DEFAULTS } from './defaults.js';
import { builtInSettings, commonSettings, timingMs } from './notifier-kinds.js';
import type { RawNotifier, RawRoute } from './raw.js';
import { inhibitSettings, silenceSettings } from './silences.js';
import { problemAt, readSecretFile, type ParseContext, type SettingPath } from './parse-context.js';
import { checkOrder } from './setting-order.js';
import { checkNotifierHttp } from './notifier-http.js';
import { readTlsFile, tlsFileFailure } from '../util/secret-file.js';
import { uncarriedInHeader } from '../util/header-credential.js';

/** Each notifier's settings: unique names, secrets read from `*_file`, required settings there. */
type RawBuiltInNotifier = Exclude<RawNotifier, { type: 'module' }>;
type RawModuleNotifier = Extract<RawNotifier, { type: 'module' }>;

function notifiers(ctx: ParseContext, names: Set<string>): NotifierSettings[] {
  return (ctx.raw.notifiers ?? []).map((n, i) => {
    if (names.has(n.name))
      problemAt(
        ctx,
        ['notifiers', i, 'name'],
        `notifier "${n.name}" is defined twice; expected a name no other notifier has`,
      );
    names.add(n.name);
    if (n.type === 'module') return moduleSettings(ctx, n, i);
    checkNotifierHttp(ctx, n, i);
    const secrets = readSecrets(ctx, n, i);
    if (n.type === 'email' && n.ca_file !== undefined) checkCaFile(ctx, n.ca_file, i);
    return builtInSettings(n, (name) => secrets.get(name) ?? '', ctx.base);
  });
}

/** An e-mail notifier's ca_file (relative to the config's folder), read as the notifier will read it. */
function checkCaFile(ctx: ParseContext, file: string, i: number): void {
  try {
    readTlsFile(resolve(ctx.base, file), 'ca_file');
  } catch (err) {
    problemAt(
      ctx,
      ['notifiers', i, 'ca_file'],
      tlsFileFailure(err, file, 'ca_file', 'a PEM file of CA certificates'),
    );
  }
}

/**
 * A built-in notifier's secrets: each given as the value or as `<name>_file` (read here), and
 * its kind's required settings present. Returns the secrets' values.
 */
function readSecrets(ctx: ParseContext, n: RawBuiltInNotifier, i: number): Map<string, string> {
  const plugin = NOTIFIERS.find((p) => p.type === n.type);
  const written = new Map<string, unknown>(Object.entries(n));
  const out = new Map<string, string>();
  for (const secret of plugin?.secrets ?? []) {
    const inline = written.get(secret);
    if (typeof inline === 'string') out.set(secret, headerSecret(ctx, n, secret, inline, [i, secret]));
    const file = written.get(`${secret}_file`);
    if (typeof file !== 'string') continue;
    const at = ['notifiers', i, `${secret}_file`];
    if (inline !== undefined)
      problemAt(ctx, at, `both ${secret} and ${secret}_file are set; expected one of them`, true);
    const value = readSecretFile(ctx, at, file, 'the secret', false);
    if (value !== undefined) out.set(secret, headerSecret(ctx, n, secret, value, [i, `${secret}_file`]));
  }
  // A <name>_file given but unreadable is said where it is, once: the secret is not also missing.
  for (const r of plugin?.required ?? [])
    if (written.get(r) === undefined && written.get(`${r}_file`) === undefined && !out.has(r))
      problemAt(
        ctx,
        ['notifiers', i],
        `missing required setting "${r}"; expected ${r}${(plugin?.secrets ?? []).includes(r) ? ` or ${r}_file (a file holding it)` : ''} in a ${n.type} notifier`,
      );
  return out;
}

/** Secrets a notifier sends as an HTTP header's value: Slack's `Authorization: Bearer <token>`. */
const HEADER_SECRETS: ReadonlySet<string> = new Set(['slack token']);

/**
 * `value`, said wrong at `at` when it is a secret sent in a header (HEADER_SECRETS) and holds
 * anything but visible ASCII: a line break, a space or `€` passed check, and every delivery
 * then failed in the HTTP client, retried as a network error. The value is not quoted.
 */
function headerSecret(
  ctx: ParseContext,
  n: RawBuiltInNotifier,
  secret: string,
  value: string,
  at: [number, string],
): string {
  if (HEADER_SECRETS.has(`${n.type} ${secret}`) && uncarriedInHeader(value) !== undefined)
    problemAt(
      ctx,
      ['notifiers', ...at],
      `the ${secret} (not shown) holds a line break, a space, a control character or a character beyond ASCII, which an HTTP header cannot carry; expected the ${secret} on one line, as ${n.type} gives it`,
    );
  return value;
}

/** A notifier module of the user's own: its file resolved against the config's folder. */
function moduleSettings(ctx: ParseContext, n: RawModuleNotifier, i: number): ModuleNotifierSettings {
  const module = resolve(ctx.base, n.module);
  const problem = moduleFileProblem(module);
  if (problem) problemAt(ctx, ['notifiers', i, 'module'], problem);
  const optionsAt = { source: ctx.src, path: ['notifiers', i, 'options'] };
  return { ...commonSettings(n), type: 'module', module, options: n.options ?? {}, optionsAt };
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
    problemAt(
      ctx,
      ['route'],
      `the top route has no receiver and there are ${names.size} notifiers; expected receiver: the name of the default one (${[...names].join(', ')})`,
    );
  (raw.inhibit_rules ?? []).forEach((r, i) => {
    checkMatchers(r.source_match, ['inhibit_rules', i, 'source_match']);
    checkMatchers(r.target_match, ['inhibit_rules', i, 'target_match']);
  });
  (raw.silences ?? []).forEach((s, i) => {
    checkMatchers(s.matchers, ['silences', i, 'matchers']);
    if (!Object.keys(s.matchers).length)
      problemAt(
        ctx,
        ['silences', i, 'matchers'],
        'no matchers: the silence would hold back every alert; expected at least one label matcher, e.g. { alertname: wifi-signal-weak }',
      );
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
    const r = s.recurring;
    // Taken as an empty window (notify/mute.ts), so the silence held back nothing, without a word.
    if (r && r.start === r.end)
      problemAt(
        ctx,
        ['silences', i, 'recurring', 'end'],
        `found "${r.end}", the same as start: the window is empty and holds back nothing; expected another time (for a whole day, start: '00:00' and end: '24:00')`,
      );
    checkSilenceDates(ctx, s, i);
  });
}

function checkSilenceDates(ctx: ParseContext, s: { starts?: string; ends?: string }, i: number): void {
  if (s.starts && s.ends && Date.parse(s.starts) >= Date.parse(s.ends))
    problemAt(
      ctx,
      ['silences', i, 'ends'],
      `found ${s.ends}, not after starts (${s.starts}): the silence would end before it starts; expected an end after ${s.starts}`,
    );
}

/** `notifiers:`, `route:`, `silences:`, `inhibit_rules:` and `delivery:` as notify/ takes them. */
export function notifySettings(ctx: ParseContext): NotifySettings {
  const names = new Set<string>();
  const list = notifiers(ctx, names);
  checkRouting(ctx, names, list.length);
  const { raw } = ctx;
  const d = { ...DEFAULTS.delivery, ...raw.delivery };
  checkOrder(ctx, 'delivery', ['retry_initial', 'retry_max'], raw.delivery, DEFAULTS.delivery);
  // An attempt that times out at or past give_up_after is never retried, and what waits behind
  // it in its notifier's queue is dropped untried (notify/pipeline/outbox.ts).
  checkOrder(ctx, 'delivery', ['timeout', 'give_up_after'], raw.delivery, DEFAULTS.delivery, true);
  const top = DEFAULTS.route;
  return {
    notifiers: list,
    route: routeSettings(raw.route ?? {}),
    routeDefaults: {
      receiver: list[0]?.name ?? '',
      groupBy: [...top.group_by],
      timing: {
        groupWaitMs: durationMs(top.group_wait),
        groupIntervalMs: durationMs(top.group_interval),
        repeatIntervalMs: durationMs(top.repeat_interval),
      },
    },
    silences: (raw.silences ?? []).map(silenceSettings),
    inhibitRules: (raw.inhibit_rules ?? []).map(inhibitSettings),
    delivery: {
      retryInitialMs: durationMs(d.retry_initial),
      retryMaxMs: durationMs(d.retry_max),
      giveUpAfterMs: durationMs(d.give_up_after),
      timeoutMs: durationMs(d.timeout),
    },
    notifyLeftAndEnded: raw.rules?.notify_left_and_ended ?? DEFAULTS.rules.notify_left_and_ended,
  };
}

/** A route as notify/ takes it: durations in ms, what it leaves unset left unset (the parent's). */
export function routeSettings(r: RawRoute): RouteSettings {
  return {
    ...(r.receiver !== undefined ? { receiver: r.receiver } : {}),
    ...(r.match ? { match: r.match } : {}),
    ...(r.continue !== undefined ? { continue: r.continue } : {}),
    ...(r.group_by ? { groupBy: r.group_by } : {}),
    timing: timingMs(r),
    ...(r.routes ? { routes: r.routes.map(routeSettings) } : {}),
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
