import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { durationMs } from '../util/duration.js';
import { FileInvalidError, type FileProblem } from '../util/file-errors.js';
import { fromRoot } from '../util/package-root.js';
import type { Env } from '../util/yaml-env.js';
import { MAX_CONFIG_FILE_BYTES, readYaml, YamlSource } from '../util/yaml-file.js';
import { DEFAULTS } from './defaults.js';
import { metricsListen, metricsSettings } from './metrics-settings.js';
import { notifySettings } from './notify-settings.js';
import { independentProblems } from './independent-problems.js';
import { problemAt, type ParseContext } from './parse-context.js';
import { checkOrder } from './setting-order.js';
import { stateDirSetting } from './state-dir-setting.js';
import type { RawConfig, RawPollDuration } from './raw.js';
import { reportsSettings } from './reports-settings.js';
import { configSchema } from './schema.js';
import { validator as schemaValidator } from '../util/validators.js';
import type { Config, RunSettings } from './types.js';
import type { PollSettings } from '../poll/settings.js';
import type { RulesSettings } from '../evaluate/settings.js';
import { ruleFilesReadTwice } from '../evaluate/load-rules.js';
import { webhooksSettings } from './webhooks.js';
import { accountSettings, sourcesSettings } from './zoom-settings.js';

let validator: ValidateFunction<RawConfig> | undefined;
function validate(): ValidateFunction<RawConfig> {
  validator ??= schemaValidator<RawConfig>('files', configSchema());
  return validator;
}

/** What a command reads of the configuration: all of it, or only the notifiers (notify-test). */
export interface LoadOptions {
  notifiersOnly?: boolean;
  /**
   * The command sends nothing (routes): secrets need not be set. An unset variable in a secret
   * setting is not a problem, and secrets given as `*_file` are not read.
   */
  withoutSecrets?: boolean;
}

/** The settings that notify-test reads; the Zoom sections need no credentials for it. */
const NOTIFIER_SECTIONS = ['notifiers', 'route', 'delivery', 'log', 'silences', 'inhibit_rules'];

/**
 * Loads and checks a configuration file. Every problem found is reported at once, each as
 * `file:line:col: setting: what is wrong; what is expected`, in a FileInvalidError.
 */
export function loadConfig(file: string, env: Env = process.env, options: LoadOptions = {}): Config {
  return parseConfig(YamlSource.read(file, MAX_CONFIG_FILE_BYTES), env, options);
}

/**
 * Checks a configuration (a file's text, or one written by a command such as the demo) and
 * turns it into typed settings, every default from config/defaults.ts. A file the schema
 * refuses is checked further too, and the problems found there that stand apart from the
 * schema's (independentProblems) are reported with them: a webhook path given twice is said
 * with an empty secret in another app, not only once that is fixed.
 */
export function parseConfig(src: YamlSource, env: Env = process.env, options: LoadOptions = {}): Config {
  const envOptional = options.notifiersOnly
    ? Object.keys(configSchema().properties as object).filter((k) => !NOTIFIER_SECTIONS.includes(k))
    : [];
  const withoutSecrets = options.withoutSecrets ?? false;
  const read = readYaml(src, validate(), { env, envOptional, secretsOptional: withoutSecrets });
  const raw = read.value as RawConfig;
  const ctx: ParseContext = { raw, src, base: dirname(resolve(src.file)), problems: [], withoutSecrets };
  if (read.problems.length) {
    const foreign = notAConfig(src, raw);
    if (foreign) throw invalid([foreign]);
    // Each section on its own: one that trips over a value the schema refused stops alone.
    settingsOf(ctx, options, (section) => {
      try {
        return section();
      } catch {
        return undefined as never;
      }
    });
    throw invalid([...read.problems, ...independentProblems(ctx.problems, read.invalid)]);
  }
  const config = settingsOf(ctx, options, (section) => section());
  if (ctx.problems.length) throw invalid(ctx.problems);
  return config;
}

/**
 * One problem for a file whose top level has keys but none qoswatch knows: not a qoswatch config
 * (a config symlinked to /etc/shadow, another program's YAML). Each of its keys was an unknown
 * setting of its own, a line per line of the file; no key is quoted here, since the file may be
 * anything.
 */
function notAConfig(src: YamlSource, raw: unknown): FileProblem | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const keys = Object.keys(raw);
  const known = Object.keys(configSchema().properties as object);
  if (keys.length === 0 || keys.some((k) => known.includes(k))) return undefined;
  return src.problemAt(
    [],
    `this does not look like a qoswatch config: no known top-level key among its ${keys.length}; expected a YAML mapping of ${known.map((k) => `${k}:`).join(', ')}`,
  );
}

/** The problems in the order of the file (each hid its secrets when made: YamlSource.problemAt). */
function invalid(problems: readonly FileProblem[]): FileInvalidError {
  return new FileInvalidError([...problems].sort((a, b) => a.line - b.line || a.col - b.col));
}

/** Every section's settings, each worked out through `run`; problems go to ctx.problems. */
function settingsOf(ctx: ParseContext, options: LoadOptions, run: <T>(section: () => T) => T): Config {
  const { raw, src } = ctx;
  const sources = run(() => sourcesSettings(ctx));
  const accounts = run(() => accountSettings(ctx, sources, options.notifiersOnly ?? false));
  const poll = run(() => pollSettings(ctx));
  const rules = run(() => rulesSettings(ctx));
  const listen = run(() => metricsListen(ctx));
  const notify = run(() => notifySettings(ctx));
  const webhooks = run(
    () => raw.webhooks && webhooksSettings(ctx, raw.webhooks, { host: '', port: listen.port }),
  );
  const metrics = run(() => metricsSettings(ctx, listen));
  const reports = run(() => reportsSettings(ctx));
  const stateDir = run(() => stateDirSetting(ctx));
  return run(() => ({
    file: src.file,
    source: src,
    ...(accounts.zoom ? { zoom: accounts.zoom } : {}),
    ...(accounts.videosdk ? { videosdk: accounts.videosdk } : {}),
    sources,
    poll,
    rules,
    run: runSettings(raw),
    metrics,
    notify,
    ...(webhooks ? { webhooks } : {}),
    ...(reports ? { reports } : {}),
    stateDir,
    log: { level: raw.log?.level ?? DEFAULTS.log.level, format: raw.log?.format ?? DEFAULTS.log.format },
  }));
}

/** `poll:`, durations in ms; max_interval not below min_interval. */
function pollSettings(ctx: ParseContext): PollSettings {
  const raw = ctx.raw.poll;
  const d = (k: RawPollDuration): number => durationMs(raw?.[k] ?? DEFAULTS.poll[k]);
  const poll = {
    minIntervalMs: d('min_interval'),
    maxIntervalMs: d('max_interval'),
    discoveryIntervalMs: d('discovery_interval'),
    contextRefreshMs: d('context_refresh'),
    verdictRefreshMs: d('verdict_refresh'),
    listFields: raw?.list_fields ?? [],
    freshAgeMs: d('fresh_age'),
    concurrency: raw?.concurrency ?? DEFAULTS.poll.concurrency,
  };
  checkOrder(ctx, 'poll', ['min_interval', 'max_interval'], raw, DEFAULTS.poll);
  return poll;
}

/** `poll.shutdown_timeout` and `rules.watch`: what app/ and cli/ read for the process. */
function runSettings(raw: RawConfig): RunSettings {
  return {
    shutdownTimeoutMs: durationMs(raw.poll?.shutdown_timeout ?? DEFAULTS.poll.shutdown_timeout),
    watchRules: raw.rules?.watch ?? DEFAULTS.rules.watch,
  };
}

/** `rules:`: the rule files (relative to the config file; the shipped rules by default). */
function rulesSettings(ctx: ParseContext): RulesSettings {
  const raw = ctx.raw.rules;
  const paths = raw?.paths?.map((p) => resolve(ctx.base, p));
  const missing = paths?.filter((p, i) => {
    if (existsSync(p)) return false;
    problemAt(
      ctx,
      ['rules', 'paths', i],
      `${p} not found (relative paths start beside the config file); expected a rule file or a folder of them, or leave rules.paths out for the shipped rules`,
    );
    return true;
  });
  if (paths && !missing?.length)
    for (const p of ruleFilesReadTwice(paths, raw!.paths!, 'rules.paths'))
      problemAt(ctx, ['rules', 'paths', p.index], p.message);
  return {
    paths: paths ?? [fromRoot('rules')],
    gapToleranceMs: durationMs(raw?.gap_tolerance ?? DEFAULTS.rules.gap_tolerance),
  };
}
