import type { Config } from './types.js';
import type { SourcesSettings } from '../poll/settings.js';
import { durationMs } from '../util/duration.js';
import { baseUrlProblem, lowerScheme } from '../util/http-url.js';
import { DEFAULT_HEAVY_SAFETY_MARGIN, PLAN_DEFAULTS, type Plan, type RateLimits } from '../zoom/limits.js';
import { DEFAULTS } from './defaults.js';
import { problemAt, readSecretFile, type ParseContext } from './parse-context.js';
import type { RawLimits } from './raw.js';

type Section = 'zoom' | 'videosdk';

function limits(plan: Plan, raw: RawLimits | undefined): RateLimits {
  const base = PLAN_DEFAULTS[plan];
  return {
    heavyPerSecond: raw?.heavy_per_second ?? base.heavyPerSecond,
    resourcePerMinute: raw?.resource_intensive_per_minute ?? base.resourcePerMinute,
    dailyPool: raw?.daily_pool ?? base.dailyPool,
    heavySafetyMargin: raw?.heavy_safety_margin ?? DEFAULT_HEAVY_SAFETY_MARGIN,
  };
}

/** What a required setting holds, for the message that says it is missing. */
const WHAT: Record<string, string> = {
  account_id: "the Server-to-Server OAuth app's account ID",
  client_id: "the app's client ID",
  api_key: "the Video SDK account's API key",
};

const section = (ctx: ParseContext, s: Section): Record<string, unknown> => ctx.raw[s] ?? {};

/** A secret given inline or as `<name>_file`; exactly one of the two. */
function secret(ctx: ParseContext, s: Section, name: string): string {
  const inline = section(ctx, s)[name] as string | undefined;
  const file = section(ctx, s)[`${name}_file`] as string | undefined;
  if (inline !== undefined && file !== undefined) {
    problemAt(ctx, [s, `${name}_file`], `both ${name} and ${name}_file are set; expected one of them`, true);
    return '';
  }
  if (file !== undefined) return readSecretFile(ctx, [s, `${name}_file`], file, 'the secret', true) ?? '';
  if (inline === undefined) {
    const p = ctx.src.problemAt(
      [s],
      `missing required setting "${name}"; expected ${name} or ${name}_file (a file holding it) in ${s}`,
    );
    p.path = `${s}.${name}`;
    ctx.problems.push(p);
  }
  return inline ?? '';
}

function required(ctx: ParseContext, s: Section, name: string): string {
  const v = section(ctx, s)[name];
  if (typeof v === 'string') return v;
  const p = ctx.src.problemAt(
    [s],
    `missing required setting "${name}"; expected ${name} in ${s} (${WHAT[name] ?? name})`,
  );
  p.path = `${s}.${name}`;
  ctx.problems.push(p);
  return '';
}

/**
 * zoom.api_url and videosdk.api_url are bases: calls append /v2/… to the text, so after a `?` or
 * a `#` every call would go to the host's `/` with the path in the query or the fragment (404s).
 * Refused as a token answer's api_url with them is (zoom/token-answer.ts).
 */
function checkApiBase(ctx: ParseContext, s: Section): void {
  const url = ctx.raw[s]?.api_url;
  const problem =
    url === undefined
      ? undefined
      : baseUrlProblem(url, 'calls append /v2/… to it', 'an http(s) URL such as https://api.zoom.us');
  if (problem) problemAt(ctx, [s, 'api_url'], problem);
}

/** `sources:`, each source on or off. */
export function sourcesSettings(ctx: ParseContext): SourcesSettings {
  const raw = ctx.raw.sources;
  const sources = {
    meetings: raw?.meetings ?? DEFAULTS.sources.meetings,
    webinars: raw?.webinars ?? DEFAULTS.sources.webinars,
    sessions: raw?.sessions ?? DEFAULTS.sources.sessions,
  };
  if (!sources.meetings && !sources.webinars && !sources.sessions)
    problemAt(ctx, ['sources'], 'every source is off; expected at least one of meetings, webinars, sessions');
  return sources;
}

/**
 * The Zoom account (meetings, webinars) and the Video SDK account (sessions), each only when a
 * source needs it and the command reads it (`notifiersOnly`: notify-test needs neither).
 */
export function accountSettings(
  ctx: ParseContext,
  sources: SourcesSettings,
  notifiersOnly: boolean,
): Pick<Config, 'zoom' | 'videosdk'> {
  const z = ctx.raw.zoom;
  if (!notifiersOnly) for (const s of ['zoom', 'videosdk'] as const) checkApiBase(ctx, s);
  const apiUrl = lowerScheme(z?.api_url ?? DEFAULTS.zoom.api_url);
  const timeoutMs = durationMs(z?.timeout ?? DEFAULTS.zoom.timeout);
  const dateClock = z?.date_clock ?? DEFAULTS.zoom.date_clock;
  const out: Pick<Config, 'zoom' | 'videosdk'> = {};
  // Only meetings and webinars need the Zoom account; a sessions-only config, or a command that
  // reads the notifier sections alone (routes, notify-test, healthcheck), does without it.
  const needsZoom = (sources.meetings || sources.webinars) && !notifiersOnly;
  if (needsZoom && !z) {
    const p = ctx.src.problemAt(
      [],
      'missing required setting "zoom"; expected a zoom section with the Server-to-Server OAuth app\'s account_id, client_id and client_secret (or sources.meetings and sources.webinars false)',
    );
    p.path = 'zoom';
    ctx.problems.push(p);
  } else if (needsZoom) {
    const plan = z?.plan ?? DEFAULTS.zoom.plan;
    out.zoom = {
      apiUrl,
      oauthUrl: lowerScheme(z?.oauth_url ?? DEFAULTS.zoom.oauth_url),
      accountId: required(ctx, 'zoom', 'account_id'),
      clientId: required(ctx, 'zoom', 'client_id'),
      clientSecret: secret(ctx, 'zoom', 'client_secret'),
      plan,
      limits: limits(plan, z?.limits),
      dailyShare: z?.daily_share ?? DEFAULTS.zoom.daily_share,
      timeoutMs,
      dateClock,
    };
  }
  if (!sources.sessions || notifiersOnly) return out;
  const v = ctx.raw.videosdk;
  if (!v) {
    problemAt(
      ctx,
      ['sources', 'sessions'],
      'sessions: true needs a "videosdk" section; expected videosdk: with the Video SDK account\'s api_key and api_secret, or sessions: false',
    );
    return out;
  }
  const plan = v.plan ?? DEFAULTS.videosdk.plan;
  out.videosdk = {
    apiUrl: v.api_url !== undefined ? lowerScheme(v.api_url) : apiUrl,
    apiKey: required(ctx, 'videosdk', 'api_key'),
    apiSecret: secret(ctx, 'videosdk', 'api_secret'),
    plan,
    limits: limits(plan, v.limits),
    dailyShare: v.daily_share ?? DEFAULTS.videosdk.daily_share,
    timeoutMs,
    dateClock,
  };
  return out;
}
