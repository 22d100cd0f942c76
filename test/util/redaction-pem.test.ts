import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { redactUrlCredentials } from '../../src/util/redact-url.js';
import { loggedText } from '../helpers/log.js';

/** A PEM private key block in a log line or an error is hidden by its markers, known or not (stop 38, LOW). */
const KEY = readFileSync(fromRoot('test', 'fixtures', 'tls', 'key.pem'), 'utf8').trim();
const BODY = KEY.split('\n')[1]!;

describe('a PEM private key in the log', () => {
  it('has its body hidden, in a message, a logged value and an error', () => {
    // Old code: all three lines held the key's body.
    const out = loggedText((log) => {
      log.warn(`cannot use the key:\n${KEY}\nfrom the file`);
      log.warn({ body: { key: KEY.replaceAll('PRIVATE', 'RSA PRIVATE') } }, 'answer');
      log.error({ err: new Error(`bad key ${KEY}`) }, 'failed');
    });
    expect(out).not.toContain(BODY.slice(0, 16));
    expect(out).toContain(
      '"msg":"cannot use the key:\\n-----BEGIN PRIVATE KEY-----[redacted]-----END PRIVATE KEY-----\\nfrom the file"',
    );
    expect(out).toContain('"key":"-----BEGIN RSA PRIVATE KEY-----[redacted]-----END RSA PRIVATE KEY-----"');
  });

  it('to the end of the text when its END line is missing; a certificate is left alone', () => {
    expect(redactUrlCredentials(`cut: ${KEY.slice(0, 200)}`)).toBe(
      'cut: -----BEGIN PRIVATE KEY-----[redacted]',
    );
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(redactUrlCredentials(cert)).toBe(cert);
    const twice = redactUrlCredentials(`${KEY} and ${KEY}`);
    expect(redactUrlCredentials(twice)).toBe(twice);
  });

  it('in linear time: many BEGIN lines without an END, and a long label', () => {
    const begins = '-----BEGIN PRIVATE KEY----- x '.repeat(20_000);
    expect(redactUrlCredentials(begins)).toBe('-----BEGIN PRIVATE KEY-----[redacted]');
    const label = `-----BEGIN ${'A'.repeat(200_000)} PUBLIC KEY-----`;
    expect(redactUrlCredentials(label)).toBe(label);
    const labels = `-----BEGIN ${'A1'.repeat(500)} `.repeat(400);
    expect(redactUrlCredentials(labels)).toBe(labels);
    const open = `-----BEGIN ${'AB '.repeat(100_000)}`;
    expect(redactUrlCredentials(open)).toBe(open);
  });
});
