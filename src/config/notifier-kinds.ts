import { resolve } from 'node:path';
import type { GroupTiming } from '../notify/pipeline/routing.js';
import type { BuiltInNotifierSettings, NotifierCommon } from '../notify/settings.js';
import { durationMs } from '../util/duration.js';
import { lowerScheme } from '../util/http-url.js';
import { DEFAULTS } from './defaults.js';
import type { RawNotifier, RawNotifierCommon } from './raw.js';

type RawBuiltIn = Exclude<RawNotifier, { type: 'module' }>;
type Timing = Partial<Record<'group_wait' | 'group_interval' | 'repeat_interval', string>>;

/** group_wait, group_interval and repeat_interval in ms: those given, and only those. */
export function timingMs(t: Timing): Partial<GroupTiming> {
  const out: Partial<GroupTiming> = {};
  if (t.group_wait !== undefined) out.groupWaitMs = durationMs(t.group_wait);
  if (t.group_interval !== undefined) out.groupIntervalMs = durationMs(t.group_interval);
  if (t.repeat_interval !== undefined) out.repeatIntervalMs = durationMs(t.repeat_interval);
  return out;
}

/** The settings every notifier has, typed: its kind's default timing under what the file says. */
export function commonSettings(n: RawNotifierCommon, kindDefaults: Timing = {}): NotifierCommon {
  return {
    name: n.name,
    sendResolved: n.send_resolved ?? DEFAULTS.notifier.send_resolved,
    timing: { ...timingMs(kindDefaults), ...timingMs(n) },
    ...(n.rate_limit ? { rateLimit: { max: n.rate_limit.max, perMs: durationMs(n.rate_limit.per) } } : {}),
  };
}

/**
 * A built-in notifier's typed settings from the file (checked by its kind's schema), with the
 * secrets read from their files (`secret` gives the value or ''): one case per kind in the registry.
 */
export function builtInSettings(
  n: RawBuiltIn,
  secret: (name: string) => string,
  base: string,
): BuiltInNotifierSettings {
  switch (n.type) {
    case 'console':
      return { ...commonSettings(n), type: n.type, settings: { ...(n.stream ? { stream: n.stream } : {}) } };
    case 'slack': {
      const settings = {
        token: secret('token'),
        channel: n.channel,
        api_url: n.api_url && lowerScheme(n.api_url),
      };
      return { ...commonSettings(n), type: n.type, settings };
    }
    case 'email': {
      const { host, port, security, user, from, to, tls_verify, ca_file } = n;
      const settings = {
        host,
        port,
        security,
        user,
        password: secret('password'),
        from,
        to,
        tls_verify,
        ca_file: ca_file && resolve(base, ca_file),
      };
      return { ...commonSettings(n), type: n.type, settings };
    }
    case 'webhook': {
      const { url, format, headers } = n;
      const secretValue = secret('secret');
      return {
        ...commonSettings(n),
        type: n.type,
        settings: { url: lowerScheme(url), format, headers, ...(secretValue ? { secret: secretValue } : {}) },
      };
    }
    case 'alertmanager': {
      const d = DEFAULTS.notifiers.alertmanager;
      return {
        ...commonSettings(n, d),
        type: n.type,
        settings: {
          url: lowerScheme(n.url),
          headers: n.headers,
          endsAfterMs: durationMs(n.ends_after ?? d.ends_after),
        },
      };
    }
  }
}
