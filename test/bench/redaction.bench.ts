import { bench, describe } from 'vitest';
import { LogSecrets } from '../../src/util/log-secrets.js';
import { redactUrlCredentials } from '../../src/util/redact-url.js';

/**
 * What hiding secrets costs a log line (it runs on every one: util/logger.ts): the patterns
 * (redactUrlCredentials) and the configuration's known values (LogSecrets.hide, 10 values) over
 * 1,000 lines of the kinds the daemon writes: most without a secret, some with a URL, a `key=value`,
 * a JSON body or percent-escapes. Figures: ops/s of the whole 1,000 lines.
 */
const KINDS = [
  'poll cycle done: 120 meetings, 5000 participants, 3 alerts fired in 812 ms',
  'notify slack: delivered alert qos.latency_high for meeting 84512345678 (attempt 1)',
  'GET https://api.zoom.us/v2/metrics/meetings?type=live&page_size=300 failed: 429 Too Many Requests',
  'POST https://hooks.example.com/services/T0/B0?token=abcDEF123456&x=1 refused: ECONNRESET',
  'send failed: smtp://mailer:pw@smtp.example.com:587: refused',
  'found "http://h/am?apikey=abc", which has a query; expected a URL without one',
  '{"ok":false,"error":"invalid_auth","token":"xoxb-1234567890","warning":"missing_charset"}',
  'pushed: 120 sent, 118 delivered, 2 failed, 0 retried; next at 2026-12-05T08:00:00Z (100%)',
  'GET /v2/report?next_page_token=aB%2Fc%3D%3Dd&from=2026-12-01 answered 200 in 95 ms',
  'config.yaml:9:7: notifiers[0].smtp.password: found a number (not shown: a secret setting, quote it)',
];
const LINES = Array.from({ length: 1000 }, (_, i) => `${KINDS[i % KINDS.length]!} #${i}`);
const secrets = new LogSecrets(Array.from({ length: 10 }, (_, i) => `configured-secret/${i}+value`));

describe('hiding secrets in 1,000 log lines', () => {
  bench('patterns (redactUrlCredentials)', () => {
    for (const l of LINES) redactUrlCredentials(l);
  });
  bench('known values (LogSecrets.hide, 10 values)', () => {
    for (const l of LINES) secrets.hide(l);
  });
});
