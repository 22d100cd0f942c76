import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { durationMs } from '../util/duration.js';
import { fromRoot } from '../util/package-root.js';
import { PLAN_DEFAULTS, type Plan, type RateLimits } from '../zoom/limits.js';
import type { Env } from './env.js';
import { FileInvalidError, type FileProblem } from './errors.js';
import type { Config } from './types.js';
import { ajv, loadYaml, YamlSource } from './yaml-file.js';

export const CONFIG_SCHEMA_FILE = fromRoot('src', 'config', 'config.schema.json');

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
  metrics?: { listen?: string };
  state?: { dir?: string };
  log?: { level?: string; format?: 'json' | 'pretty' | 'auto' };
}

let validator: ValidateFunction<RawConfig> | undefined;
function validate(): ValidateFunction<RawConfig> {
  if (!validator) {
    const a = ajv();
    if (!a.formats.uri) (addFormats as unknown as (x: typeof a) => void)(a);
    validator = a.compile<RawConfig>(JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as object);
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

/**
 * Loads and checks a configuration file. Every problem found is reported at once, each as
 * `file:line:col: setting: what is wrong; what is expected`, in a FileInvalidError.
 */
export function loadConfig(file: string, env: Env = process.env): Config {
  const src = YamlSource.read(file);
  const { value: raw } = loadYaml<RawConfig>(src, validate(), { env });
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
  const needZoom = sources.meetings || sources.webinars;
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
  if (sources.sessions) {
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
    shutdownTimeoutMs: d('shutdown_timeout', '10s'),
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
    metrics: { host: m[1] ?? (m[2] || '0.0.0.0'), port },
    stateDir: resolve(base, raw.state?.dir ?? 'state'),
    log: { level: raw.log?.level ?? 'info', format: raw.log?.format ?? 'auto' },
  };
}
