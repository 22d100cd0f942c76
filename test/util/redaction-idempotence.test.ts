import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUrlCredentials } from '../../src/util/redact-url.js';

/**
 * Redacting a text twice reads as redacting it once (a message kept in a state file is logged
 * again; adf04b4 ran such a search by hand): random texts of secret keys, quotes, JSON escapes,
 * URLs, brackets and sentence marks, at a fixed seed. Their pieces hold the forms of stop 41 too:
 * a bare URL's secret before the sentence's marks, a signature's quoted state before a digest, a
 * value that starts with the literal `[redacted]`, escapes of a secret.
 */
const PIECES = [
  ...['password', 'token', 'signature', 'sig', 'client_secret', 'Authorization', '"token"', '\\"token\\"'],
  ...['=', ': ', ':', '":"', '\\":\\"', ' ', '  ', '\n', ', ', ',', '.', '. ', ';', '!', '?', '#'],
  ...['(', ')', '[', ']', '{', '}', '<', '>', '"', "'", '\\"', '&', '&x=1', '%2F', '\\u00e4'],
  ...['SEKRIT', 'S E', 'deadbeef', 'DEADbeef', 'valid', 'ok', 'retry', '[redacted]', 'user=bob'],
  ...['http://h/?token=', 'https://u:pw@h/x?sig=', '(see http://h/?password=', '<http://h/?token='],
  ...['"http://h/?token=', 'http://h/#token:'],
];

const texts = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 12 }).map((p) => p.join(''));

/**
 * The one shape read otherwise at a second pass, by design: a bare `key:`'s quoted value with
 * words after it (`token: "x" more` is `token: [redacted] more`, then `token: [redacted]`: a value
 * after a bare `key:` may hold blanks, and one that starts with the word is hidden whole).
 */
const BARE_QUOTED = /:[ \t]*\[redacted\][ \t]+\S/;

describe('redaction, twice as once', () => {
  it('on 20,000 random texts of keys, quotes, URLs, brackets and marks (fixed seed)', () => {
    // Old code (73aadcc): 32 of 100,000 such texts read otherwise at a second pass, 29 of them
    // not of BARE_QUOTED's shape (`password=[redacted].SEKRIT`-like values, `\"…\"` ends).
    fc.assert(
      fc.property(texts, (text) => {
        const once = redactUrlCredentials(text);
        const twice = redactUrlCredentials(once);
        if (twice !== once) expect(once).toMatch(BARE_QUOTED);
        expect(redactUrlCredentials(twice)).toBe(twice);
      }),
      { numRuns: 20_000, seed: 41 },
    );
  });
});
