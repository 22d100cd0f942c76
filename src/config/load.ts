import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { durationMs } from '../util/duration.js';
import { FileInvalidError } from '../util/file-errors.js';
import { fromRoot } from '../util/package-root.js';
import type { Env } from '../util/yaml-env.js';
import { loadYaml, MAX_CONFIG_FILE_BYTES, YamlSource } from '../util/yaml-file.js';
import { DEFAULTS } from './defaults.js';
import { metricsListen, metricsSettings } from './metrics-settings.js';
import { notifySettings } from './notify-settings.js';
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
 * turns it into typed settings, every default from config/defaults.ts.
 */
export function parseConfig(src: YamlSource, env: Env = process.env, options: LoadOptions = {}): Config {
  const envOptional = options.notifiersOnly
    ? Object.keys(configSchema().properties as object).filter((k) => !NOTIFIER_SECTIONS.includes(k))
    : [];
  const withoutSecrets = options.withoutSecrets ?? false;
  const { value: raw } = loadYaml<RawConfig>(src, validate(), {
    env,
    envOptional,
    secretsOptional: withoutSecrets,
  });
  const ctx: ParseContext = { raw, src, base: dirname(resolve(src.file)), problems: [], withoutSecrets };
  const sources = sourcesSettings(ctx);
  const accounts = accountSettings(ctx, sources, options.notifiersOnly ?? false);
  const poll = pollSettings(ctx);
  const rules = rulesSettings(ctx);
  const listen = metricsListen(ctx);
  const notify = notifySettings(ctx);
  const webhooks = raw.webhooks && webhooksSettings(ctx, raw.webhooks, { host: '', port: listen.port });
  const metrics = metricsSettings(ctx, listen);
  const reports = reportsSettings(ctx);
  const stateDir = stateDirSetting(ctx);
  const { problems } = ctx;
  if (problems.length) throw new FileInvalidError(problems.sort((a, b) => a.line - b.line || a.col - b.col));
  return {
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
  };
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
  raw?.paths?.forEach((p, i) => {
    if (!existsSync(resolve(ctx.base, p)))
      problemAt(
        ctx,
        ['rules', 'paths', i],
        `${resolve(ctx.base, p)} not found (relative paths start beside the config file); expected a rule file or a folder of them, or leave rules.paths out for the shipped rules`,
      );
  });
  return {
    paths: raw?.paths?.map((p) => resolve(ctx.base, p)) ?? [fromRoot('rules')],
    gapToleranceMs: durationMs(raw?.gap_tolerance ?? DEFAULTS.rules.gap_tolerance),
  };
}
