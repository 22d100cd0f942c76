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
 * One line made to cost the most (stop 43: it is read for escapes up to four times, HTML
 * references with or without `;`, `\x` bytes and breaks inside base64; stop 45: each kind of the
 * second readings, util/text-readings.ts, in a chain of its own, layers of percent-encoding past
 * four, hex runs, base64 read in each reading), of 200,000 and of 800,000 characters: hiding the
 * 10 values in it must stay linear (the second about 4 times the first). Figures: ms a line (stop
 * 43: 78 ms at worst at 800,000; stop 45 before/after in its commit).
 */
const hostile = (unit: string, size: number): string =>
  unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const HOSTILE: Readonly<Record<string, string>> = {
  'escapes of every kind': '%C3%A4\\u00e4&#228&auml;\\xc3\\xa4 =C3=A4\\303\\244&auml\\u{e4} ',
  'escapes inside escapes': '%252525252541',
  'HTML references': '&#38&#x26;&sol;&amp;',
  'names of no reference': '&abcdefghijklmnopqrstuvwxyzabcdef',
  '`\\x` bytes, good and bad': '\\x41\\xc3\\xzz\\\\x',
  'base64 with JSON breaks': 'QUJD\\n',
  'base64 wrapped at 76': `${'QUJD'.repeat(19)}\r\n`,
  'legacy HTML names and surrogate halves': '&ampx&notin&para&frac14x&#55357 ',
  '`\\u{` without its `}`': '\\u{',
  '`\\u{..}`, `\\U`, `\\X` and octal': '\\u{1F600}\\U0001F600\\X41\\303\\244\\0124\\60 ',
  'quoted-printable and soft breaks': '=C3=A4=\r\n= \t\n=3D41 ',
  '`=` before white space of no break': `=${' '.repeat(75)}`,
  'hex runs with separators': 'de ad:be-ef, 0x12 0xAB,\n3456 ',
  'percent layers past four': '%25252525252525252541',
  'base64 with escaped marks': 'QUJD%2BQUJD%2F%3D ',
};

for (const size of [200_000, 800_000])
  describe(`hiding secrets in one hostile line of ${size.toLocaleString('en')} characters`, () => {
    for (const [name, unit] of Object.entries(HOSTILE)) {
      const line = hostile(unit, size);
      bench(`known values (LogSecrets.hide, 10 values): ${name}`, () => {
        secrets.hide(line);
      });
    }
    const layers = `%25${'25'.repeat(size / 2 - 10)}41`;
    bench(
      `known values (LogSecrets.hide, 10 values): one escape inside ${(size / 2).toLocaleString('en')} layers`,
      () => {
        secrets.hide(layers);
      },
    );
  });
