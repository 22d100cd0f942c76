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

/**
 * One line of 800,000 characters made to cost the most (stop 43: it is read for escapes up to four
 * times, HTML references with or without `;`, `\x` bytes and breaks inside base64): hiding the 10
 * values in it must stay linear. Figures: ms a line (last stop: 235 ms at worst).
 */
const hostile = (unit: string): string => unit.repeat(Math.ceil(800_000 / unit.length)).slice(0, 800_000);
const HOSTILE: Readonly<Record<string, string>> = {
  'escapes of every kind': hostile('%C3%A4\\u00e4&#228&auml;\\xc3\\xa4 '),
  'escapes inside escapes': hostile('%252525252541'),
  'one escape inside 400,000': `%25${'25'.repeat(399_990)}41`,
  'HTML references': hostile('&#38&#x26;&sol;&amp;'),
  'names of no reference': hostile('&abcdefghijklmnopqrstuvwxyzabcdef'),
  '`\\x` bytes, good and bad': hostile('\\x41\\xc3\\xzz\\\\x'),
  'base64 with JSON breaks': hostile('QUJD\\n'),
  'base64 wrapped at 76': hostile(`${'QUJD'.repeat(19)}\r\n`),
};

describe('hiding secrets in one hostile line of 800,000 characters', () => {
  for (const [name, line] of Object.entries(HOSTILE))
    bench(`known values (LogSecrets.hide, 10 values): ${name}`, () => {
      secrets.hide(line);
    });
});
