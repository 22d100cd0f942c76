import { resolve } from 'node:path';
import type { WebhooksSettings } from '../poll/webhooks/receiver.js';
import { durationMs } from '../util/duration.js';
import { DEFAULTS } from './defaults.js';
import { problemAt, readSecretFile, type ParseContext } from './parse-context.js';
import type { RawWebhooks } from './raw.js';
import { readTlsFile, tlsFileFailure } from '../util/secret-file.js';

/** host:port as the schema's pattern allows it (IPv6 in brackets). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen)!;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

/**
 * The `webhooks:` section: each app's secret token inline (write `${ENV}`) or from a file,
 * unique names and paths, a listen address apart from the metrics endpoint, readable TLS files.
 */
export function webhooksSettings(
  ctx: ParseContext,
  raw: RawWebhooks,
  metricsListen: { host: string; port: number },
): WebhooksSettings {
  const at = (path: (string | number)[], message: string): void =>
    problemAt(ctx, ['webhooks', ...path], message);
  const { host, port } = parseListen(raw.listen ?? DEFAULTS.webhooks.listen);
  if (port > 65535) at(['listen'], `found port ${port}; expected a port from 0 to 65535`);
  if (port !== 0 && port === metricsListen.port)
    at(['listen'], `found port ${port}, the metrics endpoint's; expected an address of its own`);
  const names = new Set<string>();
  const paths = new Set<string>();
  const apps = raw.apps.map((a, i) => {
    if (names.has(a.name)) at(['apps', i, 'name'], `app "${a.name}" is defined twice; names must be unique`);
    if (paths.has(a.path)) at(['apps', i, 'path'], `path ${a.path} is used twice; give each app its own`);
    names.add(a.name);
    paths.add(a.path);
    let secretToken = a.secret_token ?? '';
    if (a.secret_token !== undefined && a.secret_token_file !== undefined)
      at(
        ['apps', i, 'secret_token_file'],
        'both secret_token and secret_token_file are set; expected one of them',
      );
    else if (a.secret_token_file !== undefined) {
      const path = ['webhooks', 'apps', i, 'secret_token_file'];
      secretToken = readSecretFile(ctx, path, a.secret_token_file, 'the secret token', true) ?? secretToken;
    } else if (!secretToken)
      at(
        ['apps', i],
        'missing required setting "secret_token"; expected secret_token or secret_token_file (a file holding it) in the app: its Secret Token from the Zoom app',
      );
    return { name: a.name, path: a.path, secretToken, eventClock: a.event_clock ?? 'zoom' };
  });
  const tls = raw.web?.tls_server_config;
  for (const k of ['cert_file', 'key_file'] as const) {
    if (!tls) break;
    try {
      readTlsFile(resolve(ctx.base, tls[k]), k);
    } catch (err) {
      at(['web', 'tls_server_config', k], tlsFileFailure(err, tls[k], k));
    }
  }
  return {
    host,
    port,
    ...(tls
      ? { tls: { certFile: resolve(ctx.base, tls.cert_file), keyFile: resolve(ctx.base, tls.key_file) } }
      : {}),
    apps,
    maxBodyBytes: raw.max_body_bytes ?? DEFAULTS.webhooks.max_body_bytes,
    maxAgeMs: durationMs(raw.max_age ?? DEFAULTS.webhooks.max_age),
    takeoverAfterMs: durationMs(raw.takeover_after ?? DEFAULTS.webhooks.takeover_after),
    recheckEveryMs: durationMs(raw.recheck_every ?? DEFAULTS.webhooks.recheck_every),
  };
}
