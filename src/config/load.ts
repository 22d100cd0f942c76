import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NOTIFIERS } from '../notify/registry.js';
import { configSchema } from './schema.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { durationMs } from '../util/duration.js';
import { fromRoot } from '../util/package-root.js';
import { tlsPairProblem } from '../util/tls-pair.js';
import { PLAN_DEFAULTS, type Plan, type RateLimits } from '../zoom/limits.js';
import type { RawInhibitRule, RawSilence } from '../notify/mute.js';
import type { RawRoute } from '../notify/route.js';
import { matcherProblems, type Matchers } from '../notify/matchers.js';
import type { Env } from '../util/yaml-env.js';
import { FileInvalidError, type FileProblem } from '../util/file-errors.js';
import type { Config } from './types.js';
import { webhooksSettings, type RawWebhooks } from './webhooks.js';
import { ajv, loadYaml, MAX_CONFIG_FILE_BYTES, YamlSource } from '../util/yaml-file.js';

interface RawLimits {
  heavy_per_second?: number;
  resource_intensive_per_minute?: number;
  daily_pool?: number;
}
interface RawConfig {
  zoom?: {
    api_url?: string;
    oauth_url?: string;
    account_id?: string;
    client_id?: string;
    client_secret?: string;
    client_secret_file?: string;
    plan?: Plan;
    limits?: RawLimits;
    daily_share?: number;
    timeout?: string;
  };
  videosdk?: {
    api_url?: string;
    api_key?: string;
    api_secret?: string;
    api_secret_file?: string;
    plan?: Plan;
    limits?: RawLimits;
    daily_share?: number;
  };
  sources?: { meetings?: boolean; webinars?: boolean; sessions?: boolean };
  poll?: Partial<
    Record<
      | 'min_interval'
      | 'max_interval'
      | 'discovery_interval'
      | 'context_refresh'
      | 'fresh_age'
      | 'shutdown_timeout',
      string
    >
  > & {
    concurrency?: number;
  };
  rules?: { paths?: string[]; gap_tolerance?: string; notify_left_and_ended?: boolean; watch?: boolean };
  metrics?: {
    listen?: string;
    topic_label?: boolean;
    participant_series?: boolean;
    participant_identity_labels?: boolean;
    web?: {
      tls_server_config?: { cert_file: string; key_file: string };
      basic_auth_users?: Record<string, string>;
    };
  };
  notifiers?: (Record<string, unknown> & { name: string; type: string })[];
  route?: RawRoute;
  silences?: RawSilence[];
  inhibit_rules?: RawInhibitRule[];
  delivery?: Partial<Record<'retry_initial' | 'retry_max' | 'give_up_after' | 'timeout', string>>;
  state?: { dir?: string };
  webhooks?: RawWebhooks;
  log?: { level?: string; format?: 'json' | 'pretty' | 'auto' };
}

let validator: ValidateFunction<RawConfig> | undefined;
function validate(): ValidateFunction<RawConfig> {
  if (!validator) {
    const a = ajv();
    if (!a.formats.uri) (addFormats as unknown as (x: typeof a) => void)(a);
    validator = a.compile<RawConfig>(configSchema());
  }
  return validator;
}

function limits(plan: Plan, raw: RawLimits | undefined): RateLimits {
  const base = PLAN_DEFAULTS[plan];
  return {
    heavyPerSecond: raw?.heavy_per_second ?? base.heavyPerSecond,
    resourcePerMinute: raw?.resource_intensive_per_minute ?? base.resourcePerMinute,
    dailyPool: raw?.daily_pool ?? base.dailyPool,
  };
}

/** What a command reads of the configuration: all of it, or only the notifiers (notify-test). */
export interface LoadOptions {
  notifiersOnly?: boolean;
}

/** The settings that notify-test reads; the Zoom sections need no credentials for it. */
const NOTIFIER_SECTIONS = ['notifiers', 'route', 'delivery', 'log', 'silences', 'inhibit_rules'];

/**
 * Loads and checks a configuration file. Every problem found is reported at once, each as
 * `file:line:col: setting: what is wrong; what is expected`, in a FileInvalidError.
 */
export function loadConfig(file: string, env: Env = process.env, options: LoadOptions = {}): Config {
  const src = YamlSource.read(file, MAX_CONFIG_FILE_BYTES);
  const envOptional = options.notifiersOnly
    ? Object.keys(configSchema().properties as object).filter((k) => !NOTIFIER_SECTIONS.includes(k))
    : [];
  const { value: raw } = loadYaml<RawConfig>(src, validate(), { env, envOptional });
  const problems: FileProblem[] = [];
  const base = dirname(resolve(file));

  /** A secret given inline or as `<name>_file`; exactly one of the two. */
  const secret = (section: 'zoom' | 'videosdk', name: string, needed: boolean): string => {
    const obj = (raw[section] ?? {}) as Record<string, string | undefined>;
    const inline = obj[name];
    const path = obj[`${name}_file`];
    if (inline !== undefined && path !== undefined) {
      problems.push(src.problemAt([section, `${name}_file`], `give ${name} or ${name}_file, not both`, true));
      return '';
    }
    if (path !== undefined) {
      try {
        const v = readFileSync(resolve(base, path), 'utf8').trim();
        if (!v)
          problems.push(
            src.problemAt([section, `${name}_file`], `the file ${path} is empty; expected the secret in it`),
          );
        return v;
      } catch (err) {
        problems.push(
          src.problemAt(
            [section, `${name}_file`],
            `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected a readable file holding the secret`,
          ),
        );
        return '';
      }
    }
    if (inline === undefined && needed) {
      problems.push(src.problemAt([section], `missing required setting "${name}" (or "${name}_file")`));
      problems.at(-1)!.path = `${section}.${name}`;
    }
    return inline ?? '';
  };

  const required = (section: 'zoom' | 'videosdk', name: string): string => {
    const v = ((raw[section] ?? {}) as Record<string, unknown>)[name];
    if (typeof v === 'string') return v;
    const p = src.problemAt([section], `missing required setting "${name}"`);
    p.path = `${section}.${name}`;
    problems.push(p);
    return '';
  };

  const sources = {
    meetings: raw.sources?.meetings ?? true,
    webinars: raw.sources?.webinars ?? true,
    sessions: raw.sources?.sessions ?? false,
  };
  const needZoom = (sources.meetings || sources.webinars) && !options.notifiersOnly;
  const apiUrl = raw.zoom?.api_url ?? 'https://api.zoom.us';
  const timeoutMs = durationMs(raw.zoom?.timeout ?? '30s');

  let zoom: Config['zoom'];
  if (needZoom) {
    const plan = raw.zoom?.plan ?? 'business';
    zoom = {
      apiUrl,
      oauthUrl: raw.zoom?.oauth_url ?? 'https://zoom.us/oauth/token',
      accountId: required('zoom', 'account_id'),
      clientId: required('zoom', 'client_id'),
      clientSecret: secret('zoom', 'client_secret', true),
      plan,
      limits: limits(plan, raw.zoom?.limits),
      dailyShare: raw.zoom?.daily_share ?? 1,
      timeoutMs,
    };
  }
  let videosdk: Config['videosdk'];
  if (sources.sessions && !options.notifiersOnly) {
    if (!raw.videosdk) {
      problems.push(
        src.problemAt(
          ['sources', 'sessions'],
          'sessions need a "videosdk" section with api_key and api_secret',
        ),
      );
    } else {
      const plan = raw.videosdk.plan ?? 'business';
      videosdk = {
        apiUrl: raw.videosdk.api_url ?? apiUrl,
        apiKey: required('videosdk', 'api_key'),
        apiSecret: secret('videosdk', 'api_secret', true),
        plan,
        limits: limits(plan, raw.videosdk.limits),
        dailyShare: raw.videosdk.daily_share ?? 1,
        timeoutMs,
      };
    }
  }

  const d = (k: keyof NonNullable<RawConfig['poll']>, dflt: string): number => {
    const v = raw.poll?.[k];
    return durationMs(typeof v === 'string' ? v : dflt);
  };
  const poll = {
    minIntervalMs: d('min_interval', '60s'),
    maxIntervalMs: d('max_interval', '10m'),
    discoveryIntervalMs: d('discovery_interval', '60s'),
    contextRefreshMs: d('context_refresh', '30m'),
    freshAgeMs: d('fresh_age', '5m'),
    concurrency: raw.poll?.concurrency ?? 8,
    shutdownTimeoutMs: d('shutdown_timeout', '5s'),
  };
  if (poll.maxIntervalMs < poll.minIntervalMs) {
    problems.push(
      src.problemAt(
        ['poll', 'max_interval'],
        `found ${raw.poll?.max_interval ?? '10m'}, shorter than min_interval; expected at least min_interval`,
      ),
    );
  }
  if (!sources.meetings && !sources.webinars && !sources.sessions) {
    problems.push(
      src.problemAt(
        ['sources'],
        'every source is off; expected at least one of meetings, webinars, sessions',
      ),
    );
  }

  const listen = raw.metrics?.listen ?? '0.0.0.0:9781';
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen)!;
  const port = Number(m[3]);
  if (port > 65535)
    problems.push(
      src.problemAt(['metrics', 'listen'], `found port ${port}; expected a port from 0 to 65535`),
    );

  raw.rules?.paths?.forEach((p, i) => {
    if (!existsSync(resolve(base, p)))
      problems.push(
        src.problemAt(
          ['rules', 'paths', i],
          `${resolve(base, p)} not found (relative paths start beside the config file); expected a rule file or a folder of them, or leave rules.paths out for the shipped rules`,
        ),
      );
  });
  const notify = notifications(raw, src, base, problems);
  const webhooks = raw.webhooks && webhooksSettings(raw.webhooks, src, base, problems, { host: '', port });
  const tls = raw.metrics?.web?.tls_server_config;
  if (tls) tlsProblems(tls, src, base, problems);
  if (raw.metrics?.participant_identity_labels && !raw.metrics.participant_series)
    problems.push(
      src.problemAt(
        ['metrics', 'participant_identity_labels'],
        'identity labels need participant_series: true too',
      ),
    );

  if (problems.length) throw new FileInvalidError(problems.sort((a, b) => a.line - b.line || a.col - b.col));
  return {
    file,
    ...(zoom ? { zoom } : {}),
    ...(videosdk ? { videosdk } : {}),
    sources,
    poll,
    rules: {
      paths: raw.rules?.paths?.map((p) => resolve(base, p)) ?? [fromRoot('rules')],
      gapToleranceMs: durationMs(raw.rules?.gap_tolerance ?? '5m'),
      notifyLeftAndEnded: raw.rules?.notify_left_and_ended ?? true,
      watch: raw.rules?.watch ?? true,
    },
    metrics: {
      host: m[1] ?? (m[2] || '0.0.0.0'),
      port,
      topicLabel: raw.metrics?.topic_label ?? false,
      participantSeries: raw.metrics?.participant_series ?? false,
      participantIdentity: raw.metrics?.participant_identity_labels ?? false,
      ...(tls
        ? { tls: { certFile: resolve(base, tls.cert_file), keyFile: resolve(base, tls.key_file) } }
        : {}),
      ...(raw.metrics?.web?.basic_auth_users ? { basicAuthUsers: raw.metrics.web.basic_auth_users } : {}),
    },
    notify,
    ...(webhooks ? { webhooks } : {}),
    stateDir: resolve(base, raw.state?.dir ?? 'state'),
    log: { level: raw.log?.level ?? 'info', format: raw.log?.format ?? 'auto' },
  };
}

/** The TLS files exist, parse as PEM, and the key is the certificate's (what start-up will need). */
function tlsProblems(
  tls: { cert_file: string; key_file: string },
  src: YamlSource,
  base: string,
  problems: FileProblem[],
): void {
  const at = (k: 'cert_file' | 'key_file'): (string | number)[] => ['metrics', 'web', 'tls_server_config', k];
  const read = (k: 'cert_file' | 'key_file'): Buffer | undefined => {
    try {
      return readFileSync(resolve(base, tls[k]));
    } catch (err) {
      problems.push(
        src.problemAt(
          at(k),
          `cannot read ${tls[k]} (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected a PEM file`,
        ),
      );
      return undefined;
    }
  };
  const cert = read('cert_file');
  const key = read('key_file');
  if (!cert || !key) return;
  const p = tlsPairProblem(cert, key);
  if (p) {
    const k = p.file === 'cert' ? 'cert_file' : 'key_file';
    problems.push(
      src.problemAt(at(k), `${tls[k]} is ${p.reason}; expected a PEM certificate and its private key`),
    );
  }
}

/** Notifier secrets from *_file, receiver names that exist, valid time zones and dates. */
function notifications(
  raw: RawConfig,
  src: YamlSource,
  base: string,
  problems: FileProblem[],
): Config['notify'] {
  const names = new Set<string>();
  const notifiers = (raw.notifiers ?? []).map((n, i) => {
    if (names.has(n.name))
      problems.push(
        src.problemAt(
          ['notifiers', i, 'name'],
          `notifier "${n.name}" is defined twice; names must be unique`,
        ),
      );
    names.add(n.name);
    const plugin = NOTIFIERS.find((p) => p.type === n.type);
    const out: Record<string, unknown> = { ...n };
    for (const secret of plugin?.secrets ?? []) {
      const file = n[`${secret}_file`];
      if (typeof file !== 'string') continue;
      if (n[secret] !== undefined)
        problems.push(
          src.problemAt(
            ['notifiers', i, `${secret}_file`],
            `give ${secret} or ${secret}_file, not both`,
            true,
          ),
        );
      try {
        out[secret] = readFileSync(resolve(base, file), 'utf8').trim();
      } catch (err) {
        problems.push(
          src.problemAt(
            ['notifiers', i, `${secret}_file`],
            `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected a readable file holding the secret`,
          ),
        );
      }
      delete out[`${secret}_file`];
    }
    if (plugin)
      for (const r of plugin.required ?? [])
        if (out[r] === undefined)
          problems.push(
            src.problemAt(
              ['notifiers', i],
              `missing required setting "${r}"${(plugin.secrets ?? []).includes(r) ? ` (or "${r}_file")` : ''}`,
            ),
          );
    if (n.type === 'module' && typeof n.module === 'string') out.module = resolve(base, n.module);
    return out as Config['notify']['notifiers'][number];
  });
  /** Regexes in matchers run on RE2; one that RE2 cannot compile is named at its place. */
  const checkMatchers = (m: Matchers | undefined, path: (string | number)[]): void => {
    for (const p of matcherProblems(m)) problems.push(src.problemAt([...path, ...p.path], p.error));
  };
  const checkReceivers = (route: RawRoute | undefined, path: (string | number)[]): void => {
    if (!route) return;
    checkMatchers(route.match, [...path, 'match']);
    if (route.receiver !== undefined && !names.has(route.receiver))
      problems.push(
        src.problemAt(
          [...path, 'receiver'],
          `found "${route.receiver}"; expected the name of a notifier: ${[...names].join(', ') || '(none defined)'}`,
        ),
      );
    route.routes?.forEach((r, i) => checkReceivers(r, [...path, 'routes', i]));
  };
  checkReceivers(raw.route, ['route']);
  if (notifiers.length && !raw.route?.receiver && names.size > 1 && raw.route)
    problems.push(src.problemAt(['route'], 'the top route needs a receiver (the default notifier)'));
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
        problems.push(
          src.problemAt(
            ['silences', i, 'recurring', 'time_zone'],
            `found "${zone}"; expected an IANA time zone such as Europe/Berlin`,
          ),
        );
      }
    }
    if (s.starts && s.ends && Date.parse(s.starts) >= Date.parse(s.ends))
      problems.push(src.problemAt(['silences', i, 'ends'], 'the silence ends before it starts'));
  });
  const d = raw.delivery ?? {};
  return {
    notifiers,
    route: raw.route ?? {},
    silences: raw.silences ?? [],
    inhibitRules: raw.inhibit_rules ?? [],
    delivery: {
      retryInitialMs: durationMs(d.retry_initial ?? '1s'),
      retryMaxMs: durationMs(d.retry_max ?? '5m'),
      giveUpAfterMs: durationMs(d.give_up_after ?? '24h'),
      timeoutMs: durationMs(d.timeout ?? '30s'),
    },
  };
}
