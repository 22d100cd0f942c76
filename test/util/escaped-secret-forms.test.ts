import { describe, expect, it } from 'vitest';
import { loggedText } from '../helpers/log.js';

/**
 * A configured secret in the forms that keep some of its characters and escape others, or escape
 * them as JSON writers other than JSON.stringify do (stop 41, reviewer LOW 2): the log hides it
 * however its characters are written (util/escaped-text.ts).
 */
const SECRET = 'pä/ss wörd?&=1';

describe('the log hides a configured secret', () => {
  it('as encodeURI and a WHATWG URL write it, keeping some characters and escaping others', () => {
    // Old code: all five were logged as they are (only encodeURIComponent's form was known).
    const lines = [
      `GET http://h/x?p=${encodeURI(SECRET)} failed`,
      `GET ${new URL(`http://h/${SECRET}`).href} failed`,
      `GET ${new URL(`http://h/?q=${SECRET}`).href} failed`,
      `GET ${new URL(`http://h/#${SECRET}`).href} failed`,
      // Percent-escapes of any case and JSON escapes mixed in one value.
      'mixed p%C3%a4/ss%20w\\u00f6rd%3F&=1 failed',
    ];
    expect(lines[0]).toContain('p%C3%A4/ss%20w%C3%B6rd?&=1');
    const out = loggedText((log) => lines.forEach((l) => log.warn(l)), [SECRET]);
    expect(out).not.toMatch(/ss%20w|ss w/);
    expect(out).toContain('"msg":"GET http://h/x?p=[redacted] failed"');
    expect(out).toContain('"msg":"GET http://h/[redacted] failed"');
    expect(out).toContain('"msg":"GET http://h/?q=[redacted] failed"');
    expect(out).toContain('"msg":"GET http://h/#[redacted] failed"');
    expect(out).toContain('"msg":"mixed [redacted] failed"');
  });

  it('as a JSON writer that escapes every non-ASCII character, `/` or `&` writes it', () => {
    // Old code: logged as they are (JSON.stringify's form, `pä/ss`, was the only JSON one known).
    const astral = 'emoji😀secret';
    const out = loggedText(
      (log) => {
        log.warn('answer {"p":"p\\u00e4\\/ss w\\u00F6rd?\\u0026=1","ok":false}');
        log.warn({ body: '{"p":"p\\u00E4/ss w\\u00f6rd?&=1"}' }, 'answer');
        log.warn(`answer {"e":"emoji\\ud83d\\ude00secret"} and ${encodeURI(astral)}`);
      },
      [SECRET, astral],
    );
    expect(out).not.toMatch(/ss w|emoji/);
    expect(out).toContain('"msg":"answer {\\"p\\":\\"[redacted]\\",\\"ok\\":false}"');
    expect(out).toContain('"body":"{\\"p\\":\\"[redacted]\\"}"');
    expect(out).toContain('"msg":"answer {\\"e\\":\\"[redacted]\\"} and [redacted]"');
  });

  it('as a hex dump in mixed case (stop 41, reviewer LOW 3)', () => {
    // Old code: only all-lower and all-upper hex were hidden.
    const hex = Buffer.from('plainsecretvalue42').toString('hex');
    const mixed = hex.replace(/[0-9a-f]{2}/g, (b, i: number) => (i % 4 ? b.toUpperCase() : b));
    expect(mixed).not.toBe(hex);
    expect(mixed).not.toBe(hex.toUpperCase());
    const out = loggedText((log) => log.warn(`dump ${mixed} end, id DEADBEEF0123ab`), ['plainsecretvalue42']);
    expect(out).toContain('"msg":"dump [redacted] end, id DEADBEEF0123ab"');
  });

  it('but keeps escapes that are no secret, and a secret`s escaped form under 6 characters', () => {
    const out = loggedText(
      (log) => log.warn('GET /a%2Fb?x=%41%c3%a4%zz&y=\\u00e4\\x \\\\u0061dmin admin%31'),
      [SECRET, 'admin', 'admin1'],
    );
    expect(out).toContain('"msg":"GET /a%2Fb?x=%41%c3%a4%zz&y=\\\\u00e4\\\\x \\\\\\\\u0061dmin [redacted]"');
  });

  it('in linear time, however many escapes on a line', () => {
    const line = `${'%C3%A4\\u00e4'.repeat(50_000)} p%C3%A4/ss%20w%C3%B6rd?&=1 ${'%2'.repeat(50_000)}`;
    const out = loggedText((log) => log.warn(line), [SECRET]);
    expect(out).toContain(`${'%C3%A4\\\\u00e4'.repeat(50_000)} [redacted] %2%2`);
  });
});
