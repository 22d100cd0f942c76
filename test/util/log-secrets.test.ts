import { describe, expect, it } from 'vitest';
import { rereadLogSecrets } from '../../src/util/log-secrets.js';
import { loggedText } from '../helpers/log.js';

/**
 * The logger hides the configuration's secret values wherever they stand (stop 38): before, only
 * patterns were hidden (`password: x`, `http://u:p@h`), and a secret a server echoed in its own
 * words went out as it was.
 */
const SECRET = 'plainsecretvalue42';

describe('the logger hides the secret values it was given', () => {
  it('in a message, its printf arguments, a logged value and an error, with no pattern around them', () => {
    // Old code: every one of these lines held plainsecretvalue42.
    const out = loggedText(
      (log) => {
        log.warn(`zoom: HTTP 400: no such client ${SECRET} here`);
        log.warn('the server said %s', `${SECRET}!`);
        log.info({ answer: { text: `echo ${SECRET}` }, list: [SECRET] }, 'answered');
        log.error({ err: new Error(`refused ${SECRET}`, { cause: new Error(`for ${SECRET}`) }) }, 'failed');
        log.child({ part: 'slack' }).warn(`token ${SECRET.toUpperCase()} ${SECRET}`);
      },
      [SECRET],
    );
    expect(out).not.toContain(SECRET);
    expect(out).toContain('"msg":"zoom: HTTP 400: no such client [redacted] here"');
    expect(out).toContain('"msg":"the server said [redacted]!"');
    expect(out).toContain('"answer":{"text":"echo [redacted]"},"list":["[redacted]"]');
    expect(out).toContain('"message":"refused [redacted]: for [redacted]"');
    expect(out).toContain(`"msg":"token ${SECRET.toUpperCase()} [redacted]"`);
  });

  it('as JSON escapes it and as a URL encodes it; a value under 6 characters is not hidden', () => {
    const quoted = 'pa"ss\\word 9';
    const out = loggedText(
      (log) => {
        log.warn({ body: `{"secret":"x","echo":${JSON.stringify(quoted)}}` }, 'echo');
        log.warn(`GET /x?key=${encodeURIComponent(quoted)}&y=1`);
        log.warn('admin logged in as admin');
      },
      [quoted, 'admin'],
    );
    expect(out).not.toContain('ss\\\\word');
    expect(out).not.toContain('ss%5Cword');
    expect(out).toContain('"msg":"admin logged in as admin"');
  });

  it('form-encoded (a space as +), in base64 and in base64url (stop 39, tester LOW)', () => {
    // Old code: all three lines were logged as they are.
    const secret = 'pw??>>~~ a*b';
    const out = loggedText(
      (log) => {
        log.warn('form=pw%3F%3F%3E%3E%7E%7E+a*b&x=1');
        log.warn('b64 cHc/Pz4+fn4gYSpi');
        log.warn('b64url cHc_Pz4-fn4gYSpi.');
      },
      [secret],
    );
    expect(out).toContain('"msg":"form=[redacted]&x=1"');
    expect(out).toContain('"msg":"b64 [redacted]"');
    expect(out).toContain('"msg":"b64url [redacted]."');
  });

  it('with its percent-escapes in mixed case, in hex, and as escape() writes it (stop 40, reviewer LOW)', () => {
    // Old code: only all-upper or all-lower escapes were hidden; these four lines were logged as they are.
    const secret = 'pä ss/wörd€1';
    const mixed = 'p%c3%A4%20ss%2fw%C3%b6rd%e2%82%AC1';
    const hex = Buffer.from(secret, 'utf8').toString('hex');
    const out = loggedText(
      (log) => {
        log.warn(`GET /x?a=%2f&key=${mixed}&y=%2F`);
        log.warn(`dump ${hex} end`);
        log.warn(`DUMP ${hex.toUpperCase()}`);
        log.warn('old client sent p%E4%20ss/w%f6rd%u20ac1 as its password');
        log.warn('x=p%C3%A4%20ss%2Fw%C3%B6rd%E2%82%Ac1');
      },
      [secret],
    );
    expect(out).toContain('"msg":"GET /x?a=%2f&key=[redacted]&y=%2F"');
    expect(out).toContain('"msg":"dump [redacted] end"');
    expect(out).toContain('"msg":"DUMP [redacted]"');
    expect(out).toContain('"msg":"old client sent [redacted] as its password"');
    expect(out).toContain('"msg":"x=[redacted]"');
  });

  it('adds a reloaded configuration’s values and keeps the old ones, in its children too', () => {
    const out = loggedText(
      (log) => {
        const child = log.child({ part: 'notify' });
        child.warn('new-secret-value-77 before');
        rereadLogSecrets(log, ['new-secret-value-77', 'abc']);
        child.warn(`new-secret-value-77 and ${SECRET} after`);
        log.warn('abc stays');
      },
      [SECRET],
    );
    expect(out).toContain('"msg":"new-secret-value-77 before"');
    expect(out).toContain('"msg":"[redacted] and [redacted] after"');
    expect(out).toContain('"msg":"abc stays"');
  });

  it('keeps the running values and the latest reading’s, not every reading’s: it does not grow', () => {
    // Old code (values were only ever added): after 500 SIGHUPs that rotated a secret, 500 values
    // were searched in every line, and "rotated-value-1" (read once, never in use) still hidden.
    const out = loggedText(
      (log) => {
        for (let i = 1; i <= 500; i++) rereadLogSecrets(log, [`rotated-value-${i}`]);
        log.warn(`echo ${SECRET} rotated-value-500 rotated-value-1`);
      },
      [SECRET],
    );
    expect(out).toContain('"msg":"echo [redacted] [redacted] rotated-value-1"');
  });

  it('in linear time: many values and a long line', () => {
    const values = Array.from({ length: 50 }, (_, i) => `secret-number-${i}-xyz`);
    const line = `${'a'.repeat(200_000)} secret-number-7-xyz ${'b '.repeat(100_000)}`;
    const out = loggedText((log) => log.warn(line), values);
    expect(out).toContain(`${'a'.repeat(200_000)} [redacted] b b`);
    expect(out).not.toContain('secret-number-7-xyz');
  });

  it('in linear time: a long line of lower-case percent-escapes', () => {
    const values = Array.from({ length: 50 }, (_, i) => `secret/number/${i}/xyz`);
    const line = `${'%2f'.repeat(100_000)} secret%2fnumber%2F7%2fxyz ${'%2F '.repeat(50_000)}`;
    const out = loggedText((log) => log.warn(line), values);
    expect(out).toContain(`${'%2f'.repeat(100_000)} [redacted] %2F %2F`);
    expect(out).not.toContain('number');
  });
});
