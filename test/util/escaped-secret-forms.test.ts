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

/**
 * A configured secret (an SMTP password, a webhook secret, a Slack token, a Zoom secret) in more
 * forms a server or a library writes it in (stop 42, reviewer LOW): HTML character references,
 * percent-encoded twice, form-encoded with only its spaces as `+`, and inside a base64 text that
 * holds more than it (an HTTP Basic credential, `user:secret`), at each of the three alignments.
 */
describe('the log hides a configured secret, more forms', () => {
  const SMTP = 'hunter2/Sekr&t pw';
  const SLACK = 'xoxb-1234-abcdef';
  const ZOOM = 'zoomsecret42';
  const WEBHOOK = 'wh-secret';
  const SECRETS = [SMTP, SLACK, ZOOM, WEBHOOK];
  const logged = (lines: readonly string[]): string[] => {
    const out = loggedText((log) => lines.forEach((l) => log.warn(l)), SECRETS);
    return out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
  };
  const gone = (out: readonly string[]): void => {
    for (const s of SECRETS) expect(out.join('\n')).not.toContain(s);
  };

  it('as HTML character references, percent-encoded twice, and form-encoded with `+` for spaces', () => {
    // Old code: all six were logged as they are.
    const dec = Array.from(SMTP, (c) => `&#${c.codePointAt(0)};`).join('');
    const hex = Array.from(ZOOM, (c) => `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`).join('');
    const out = logged([
      `page said ${dec} end`,
      `page said ${hex} end`,
      `<p>${SMTP.replace('&', '&amp;')}</p>`,
      `GET /x?r=${encodeURIComponent(encodeURIComponent(SMTP))} 400`,
      `GET /x?r=${encodeURIComponent(encodeURIComponent(SLACK).replace('-', '%2D'))} 400`,
      `body ${SMTP.replaceAll(' ', '+')} refused`,
    ]);
    gone(out);
    expect(out).toEqual([
      'page said [redacted] end',
      'page said [redacted] end',
      '<p>[redacted]</p>',
      'GET /x?r=[redacted] 400',
      'GET /x?r=[redacted] 400',
      'body [redacted] refused',
    ]);
  });

  it('inside base64 of `anything:SECRET` at each alignment, and of SECRET alone', () => {
    // Old code: only the base64 of the secret alone was hidden; a Basic credential showed it.
    const cases = ['', 'u', 'us', 'use', 'anything'].flatMap((user) =>
      SECRETS.map((s) => ({ user, b64: Buffer.from(user ? `${user}:${s}` : s).toString('base64') })),
    );
    const out = logged(cases.map((c) => `proxy refused credential ${c.b64}, retrying`));
    gone(out);
    for (const [i, { user, b64 }] of cases.entries()) {
      const left = /^proxy refused credential ([A-Za-z0-9+/]*)\[redacted\], retrying$/.exec(out[i]!)?.[1];
      expect(left, b64).toBeDefined();
      // What is shown is whole groups of the user's bytes at most: nothing of the secret's.
      expect(left!.length % 4, b64).toBe(0);
      expect(`${user}:`.startsWith(Buffer.from(left!, 'base64').toString('latin1')), b64).toBe(true);
    }
  });

  it('but keeps ordinary text: entities, escapes, `+` and base64 that hold no secret', () => {
    const kept = [
      'ordinary text: Basic dXNlcjpwYXNz and &amp; &#104;i &lt;b&gt; %2541 a+b QmFzaWM=',
      'Tom &amp; Jerry, 5 &lt; 6, caf&#233;; GET /a%252Fb?q=x+y',
      `a secret's base64 cut short: ${Buffer.from(ZOOM).toString('base64').slice(0, 7)}`,
      'wh-secre hunter2/Sekr xoxb-1234 zoomsecret4',
    ];
    expect(logged(kept)).toEqual(kept);
  });

  it('in linear time, however many entities, double escapes and base64 runs on a line', () => {
    const line = `${'&#38;&amp;%2525'.repeat(30_000)} ${'QUJD'.repeat(50_000)} ${encodeURIComponent(encodeURIComponent(ZOOM))}`;
    const [out] = logged([line]);
    expect(out).toBe(`${'&#38;&amp;%2525'.repeat(30_000)} ${'QUJD'.repeat(50_000)} [redacted]`);
  });
});
