import type { QualityOptions } from './collectors/quality.js';
import type { WebOptions } from './http-server.js';

/**
 * Where /metrics and the API listen, their TLS and basic auth, and which labels the series
 * carry (config/ assembles it from `metrics:`).
 */
export interface MetricsSettings extends QualityOptions, Pick<WebOptions, 'tls' | 'basicAuthUsers'> {
  host: string;
  port: number;
}
