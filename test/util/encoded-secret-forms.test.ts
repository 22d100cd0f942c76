import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LogSecrets } from '../../src/util/log-secrets.js';
import { expectEncodedHidden, expectNearMissesKept } from '../helpers/encoded-near-misses.js';
import { loggedText } from '../helpers/log.js';

/**
 * A configured secret in the encoded forms last stop's testers found logged whole (stop 43, LOW):
 * HTML numeric references without their `;`, named references for `/` and the other marks,
 * percent-encoded three or four times, hex dumps with blanks or `\x` before each byte.
 */
const SMTP = 'secret/Pw:1?';
const ZOOM = 'zoomsecret42';
const SECRETS = [SMTP, ZOOM];

const logged = (lines: readonly string[], secrets: readonly string[] = SECRETS): string[] =>
  loggedText((log) => lines.forEach((l) => log.warn(l)), secrets)
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { msg: string }).msg);

const decimal = (s: string, end = ''): string => Array.from(s, (c) => `&#${c.codePointAt(0)}${end}`).join('');
const hexRef = (s: string, end = ''): string =>
  Array.from(s, (c) => `&#x${c.codePointAt(0)!.toString(16)}${end}`).join('');
const hexBytes = (s: string, sep: string, before = ''): string =>
  Array.from(Buffer.from(s), (b) => `${before}${b.toString(16).padStart(2, '0')}`).join(sep);
const percentTimes = (s: string, n: number): string => {
  let out = s;
  for (let i = 0; i < n; i++) out = encodeURIComponent(out);
  return out;
};

describe('the log hides a configured secret, encoded as testers found it shown (stop 43)', () => {
  it('as HTML numeric references without their `;`, and with named references for its marks', () => {
    // Old code: all six were logged as they are (a reference was read only with its `;`, and
    // only `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` by name).
    const out = logged([
      `page ${decimal(SMTP)} end`,
      `page ${hexRef(ZOOM)} end`,
      `page ${hexRef(SMTP).toUpperCase().replaceAll('&#X', '&#x')} end`,
      `page secret&sol;Pw&colon;1&quest; end`,
      `page ${decimal('secret')}&sol;Pw&#58;1&quest; end`,
      `caf&eacute; zoom&#115ecret42 end`,
    ]);
    expect(out).toEqual([
      'page [redacted] end',
      'page [redacted] end',
      'page [redacted] end',
      'page [redacted] end',
      'page [redacted] end',
      'caf&eacute; [redacted] end',
    ]);
  });

  it('percent-encoded three and four times, and HTML inside percent-encoding', () => {
    // Old code: a text was read twice at most; all four were logged as they are.
    const out = logged([
      `GET /x?r=${percentTimes(SMTP, 3)} 400`,
      `GET /x?r=${percentTimes(SMTP, 4)} 400`,
      `GET /x?r=${percentTimes(ZOOM.replace('s', '%73'), 2)} 400`,
      `GET /x?r=${encodeURIComponent(decimal(SMTP, ';').replaceAll('&', '&amp;'))} 400`,
    ]);
    expect(out).toEqual([
      'GET /x?r=[redacted] 400',
      'GET /x?r=[redacted] 400',
      'GET /x?r=[redacted] 400',
      'GET /x?r=[redacted] 400',
    ]);
  });

  it('as a hex dump with a blank between its bytes, in any case, and as `\\x` escapes', () => {
    // Old code: all five were logged as they are (only a dump without blanks was known).
    const utf8 = 'pässwörd-9';
    const out = logged(
      [
        `dump ${hexBytes(SMTP, ' ')} end`,
        `dump ${hexBytes(ZOOM, ' ').toUpperCase()} end`,
        `bytes b'${hexBytes(SMTP, '', '\\x')}' end`,
        `bytes b'p${hexBytes('ä', '', '\\x').toUpperCase().replaceAll('\\X', '\\x')}ssw\\xc3\\xb6rd-9' end`,
        `bytes "${hexBytes(ZOOM, '', '\\\\x')}" end`,
      ],
      [...SECRETS, utf8],
    );
    expect(out).toEqual([
      'dump [redacted] end',
      'dump [redacted] end',
      "bytes b'[redacted]' end",
      "bytes b'[redacted]' end",
      'bytes "[redacted]" end',
    ]);
  });

  it('in linear time, however many references, escapes inside escapes and `\\x` bytes on a line', () => {
    const noise = `${'&#38&#x26;&sol;&abcdef;%252525252541\\x41\\xc3\\xzz\\\\x'.repeat(10_000)} %25${'25'.repeat(100_000)}41`;
    const [out] = logged([`${noise} ${percentTimes(decimal(SMTP), 3)} ${noise}`]);
    expect(out).toBe(`${noise} [redacted] ${noise}`);
  });

  it('but keeps references, escapes and dumps that hold no secret', () => {
    const kept = [
      'Tom &amp Jerry &#38 &#x26 &sol; &nosuch; &eacute;t&eacute; &#1234567890 &#xD800 a&b=c;',
      'GET /a%252525Fb?q=%25252541 \\x41\\x42\\xff\\xzz \\\\x41',
      'dump 73 65 63 72 65 74 2f 50 77 3a 31 then 7a 6f 6f 6d 73 65 63 72 65 74 34',
      'secret/Pw:1 zoomsecret4 secret&sol;Pw:',
    ];
    expect(logged(kept)).toEqual(kept);
  });
});

/**
 * What a line `cred <base64 of prefix + secret + suffix, maybe wrapped> end` shows of the base64
 * around `[redacted]`, checked to hold none of the secret's bits: whole groups of the prefix's
 * bytes before it, and after it only characters that write the suffix's bytes. An error when the
 * secret was not hidden, or some of its bits are shown.
 */
function shownBits(out: string, full: string, prefix: number, secret: number): string | undefined {
  const m = /^cred (.*)\[redacted\](.*) end$/s.exec(out);
  if (!m) return `not hidden: ${out}`;
  const [left, right] = [m[1]!, m[2]!].map((s) => s.replace(/\r?\n/g, ''));
  const bare = full.replace(/\r?\n/g, '');
  if (!bare.startsWith(left!) || !bare.endsWith(right!)) return `not as it was: ${out}`;
  if (left!.length % 4 || left!.length * 6 > prefix * 8) return `secret's first bits shown: ${out}`;
  const rightStart = bare.length - right!.length;
  if (right!.replace(/=+$/, '') && (rightStart % 4 || rightStart * 6 < (prefix + secret) * 8))
    return `secret's last bits shown: ${out}`;
  return undefined;
}

describe('the log hides a configured secret inside a longer base64 text (stop 43)', () => {
  const ENCODE: readonly ((b: Buffer) => string)[] = [
    (b) => b.toString('base64'),
    (b) => b.toString('base64').replace(/=+$/, ''),
    (b) => b.toString('base64url'),
    (b) => `${b.toString('base64url')}=`.replace(/=+$/, ''),
  ];

  it('of 6 or 7 bytes, at each alignment, with bytes after it, padded or not, base64url too', () => {
    // Old code: 1,380 of these 2,880 were logged whole (only its padded end or whole groups of
    // it were looked for: a 6-7 byte secret has at most one whole group at an alignment).
    const rnd = fc.sample(fc.uint8Array({ minLength: 6, maxLength: 6 }), { seed: 43, numRuns: 20 });
    const secrets = rnd.map(
      (b, i) => Array.from(b, (x) => String.fromCharCode(0x21 + (x % 94))).join('') + (i % 2 ? '#' : ''),
    );
    const misses: string[] = [];
    for (const secret of secrets)
      for (let before = 0; before < 6; before++)
        for (let after = 0; after < 6; after++)
          for (const encode of ENCODE) {
            const bytes = Buffer.from(`${'u'.repeat(before)}${secret}${'!'.repeat(after)}`);
            const full = encode(bytes);
            const [out] = logged([`cred ${full} end`], [secret]);
            const miss = shownBits(out!, full, before, Buffer.byteLength(secret));
            if (miss) misses.push(miss);
          }
    expect(misses).toEqual([]);
  });

  it('in linear time, however many breaks and base64 groups on a line', () => {
    const noise = `${'QUJD\\n'.repeat(50_000)} ${`${'QUJD'.repeat(19)}\r\n`.repeat(2_000)}`;
    const full = Buffer.from(`user:${ZOOM}`)
      .toString('base64')
      .replace(/(.{5})/, '$1\r\n');
    const [out] = logged([`${noise} ${full} ${noise}`]);
    expect(out).toBe(`${noise} dXNl[redacted] ${noise}`);
  });

  it('wrapped at 76 columns as MIME writes it, the break at every place in the secret', () => {
    // Old code: 148 of these 480 were shown: 130 whole (a break inside the secret's characters),
    // 18 with its first or last bits beside `[redacted]`.
    const misses: string[] = [];
    for (const secret of ['zoomsecret42', 'hunter2/Sekr&t pw', 'abc123'])
      for (let before = 0; before < 80; before++) {
        const bytes = Buffer.from(`${'u'.repeat(before)}${secret}${'!'.repeat(before % 7)}`);
        for (const eol of ['\r\n', '\n']) {
          const full = bytes.toString('base64').replace(/.{76}(?=.)/g, `$&${eol}`);
          const [out] = logged([`cred ${full} end`], [secret]);
          const miss = shownBits(out!, full, before, Buffer.byteLength(secret));
          if (miss) misses.push(JSON.stringify(miss));
        }
      }
    expect(misses).toEqual([]);
  });
});

/** Every encoded form the log reads, of `s`. */
const ENCODINGS: readonly ((s: string) => string)[] = [
  (s) => s,
  (s) => decimal(s),
  (s) => decimal(s, ';'),
  (s) => hexRef(s),
  (s) => s.replaceAll('/', '&sol;').replaceAll(':', '&colon;').replaceAll('?', '&quest;'),
  (s) => percentTimes(s, 3),
  (s) => percentTimes(s, 4),
  (s) => hexBytes(s, ' '),
  (s) => hexBytes(s, '', '\\x'),
  (s) => Buffer.from(`user:${s}, more`).toString('base64'),
  (s) => Buffer.from(`us:${s}`).toString('base64url'),
  (s) =>
    Buffer.from(`u:${s}`.repeat(4))
      .toString('base64')
      .replace(/.{76}(?=.)/g, '$&\r\n'),
];

describe('the log hides nothing else (stop 43)', () => {
  it('random texts, and a secret with one character changed, in every encoding are kept whole (fixed seed)', () => {
    // Each text is checked to hold no secret, and the test seen to fail where one does
    // (test/helpers/encoded-near-misses.ts).
    expect(expectNearMissesKept(ENCODINGS, 43, 3000)).toBeGreaterThan(2500);
  });

  it('while a random secret in each of those encodings is hidden (fixed seed)', () => {
    // Old code: 9 of the 12 encodings were logged as they are.
    expectEncodedHidden(ENCODINGS, 43, 2000);
  });
});

describe('secrets partly escaped, as a key=value or a URL writes them (rA44, after a reverted change)', () => {
  // 2d2653e read `=4f` as quoted-printable and `&copy`, `\101` as escapes: each of these showed.
  it.each([
    ['4f$ecret pass', 'GET /login?pw=4f$ecret%20pass'],
    ['4f/ecret pass', '{"q":"pw=4f\\/ecret pass"}'],
    ['4fécret/pass', 'x?pw=4f%C3%A9cret/pass'],
    ['pa ss=3Fword9', 'login failed for pa%20ss=3Fword9 here'],
    ['pa ss&copyw9x', 'x pa%20ss&copyw9x y'],
    ['pa ss\\101word', 'x pa%20ss\\101word y'],
    ['pa ss=41word9', 'x pa%20ss=41word9 y'],
  ])('%s in %s is hidden', (secret, line) => {
    const shown = new LogSecrets([secret]).hide(line);
    expect(shown).toContain('[redacted]');
    expect(shown).not.toContain(secret.slice(2, 8));
  });
});
