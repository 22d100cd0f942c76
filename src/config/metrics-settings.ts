import { readTlsFile, tlsFileFailure } from '../util/secret-file.js';
import { resolve } from 'node:path';
import { tlsPairProblem } from '../util/tls-pair.js';
import { DEFAULTS } from './defaults.js';
import { problemAt, type ParseContext } from './parse-context.js';
import type { MetricsSettings } from '../export/settings.js';
import { parseListen } from './webhooks.js';

/** The TLS files exist, parse as PEM, and the key is the certificate's (what start-up will need). */
function tlsProblems(ctx: ParseContext, tls: { cert_file: string; key_file: string }): void {
  const at = (k: 'cert_file' | 'key_file'): (string | number)[] => ['metrics', 'web', 'tls_server_config', k];
  const read = (k: 'cert_file' | 'key_file'): Buffer | undefined => {
    try {
      return readTlsFile(resolve(ctx.base, tls[k]), k);
    } catch (err) {
      problemAt(ctx, at(k), tlsFileFailure(err, tls[k], k));
      return undefined;
    }
  };
  const cert = read('cert_file');
  const key = read('key_file');
  if (!cert || !key) return;
  const p = tlsPairProblem(cert, key);
  if (p) {
    const k = p.file === 'cert' ? 'cert_file' : 'key_file';
    problemAt(ctx, at(k), `${tls[k]} is ${p.reason}; expected a PEM certificate and its private key`);
  }
}

/** The listen address of `metrics:` (checked first: the webhook listener must differ from it). */
export function metricsListen(ctx: ParseContext): { host: string; port: number } {
  const listen = parseListen(ctx.raw.metrics?.listen ?? DEFAULTS.metrics.listen);
  if (listen.port > 65535)
    problemAt(ctx, ['metrics', 'listen'], `found port ${listen.port}; expected a port from 0 to 65535`);
  return listen;
}

/** `metrics:`: where /metrics and the API listen, TLS and basic auth, which labels series carry. */
export function metricsSettings(ctx: ParseContext, listen: { host: string; port: number }): MetricsSettings {
  const m = ctx.raw.metrics;
  const tls = m?.web?.tls_server_config;
  if (tls) tlsProblems(ctx, tls);
  if (m?.participant_identity_labels && !m.participant_series)
    problemAt(
      ctx,
      ['metrics', 'participant_identity_labels'],
      'identity labels need participant_series: true too; expected participant_series: true beside them, or participant_identity_labels: false',
    );
  return {
    host: listen.host,
    port: listen.port,
    topicLabel: m?.topic_label ?? DEFAULTS.metrics.topic_label,
    participantSeries: m?.participant_series ?? DEFAULTS.metrics.participant_series,
    participantIdentity: m?.participant_identity_labels ?? DEFAULTS.metrics.participant_identity_labels,
    ...(tls
      ? { tls: { certFile: resolve(ctx.base, tls.cert_file), keyFile: resolve(ctx.base, tls.key_file) } }
      : {}),
    ...(m?.web?.basic_auth_users ? { basicAuthUsers: m.web.basic_auth_users } : {}),
  };
}
