import { describe, expect, it } from 'vitest';
import { expectEncodedHidden, expectNearMissesKept } from '../helpers/encoded-near-misses.js';
import { loggedText } from '../helpers/log.js';

/**
 * A configured secret in the encoded forms stop 43 left shown (stop 44): HTML's legacy names
 * without `;`, characters beyond U+00FF as HTML and JSON-like references, `\u{..}` and octal
 * escapes, quoted-printable (a mail server echoing a password), hex as `xxd` groups, with `:`
 * or `0x`, more than four layers of percent-encoding, and UTF-16 in base64 or hex.
 */
const logged = (lines: readonly string[], secrets: readonly string[]): string[] =>
  loggedText((log) => lines.forEach((l) => log.warn(l)), secrets)
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { msg: string }).msg);

/** Each of `lines` logged as `seen <line> end`, checked to read `seen [redacted] end`. */
function hiddenWhole(lines: readonly string[], secrets: readonly string[]): void {
  const out = logged(
    lines.map((l) => `seen ${l} end`),
    secrets,
  );
  expect(out).toEqual(lines.map(() => 'seen [redacted] end'));
}

const bytes = (s: string): number[] => [...Buffer.from(s)];
const hex2 = (b: number): string => b.toString(16).padStart(2, '0');
const percentTimes = (s: string, n: number): string => {
  let out = s;
  for (let i = 0; i < n; i++) out = encodeURIComponent(out);
  return out;
};
/** `s` as quoted-printable (RFC 2045): `=`, blanks, controls and non-ASCII bytes as `=XX`, the rest kept. */
const quotedPrintable = (s: string): string =>
  bytes(s)
    .map((b) => (b > 0x20 && b < 0x7f && b !== 0x3d ? String.fromCharCode(b) : `=${hex2(b).toUpperCase()}`))
    .join('');
const octal = (s: string): string =>
  bytes(s)
    .map((b) => `\\${b.toString(8).padStart(3, '0')}`)
    .join('');
const braced = (s: string): string => Array.from(s, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join('');
const utf16 = (s: string, be = false): Buffer => {
  const le = Buffer.from(s, 'utf16le');
  return be ? Buffer.from(le).swap16() : le;
};

describe('the log hides a configured secret, in forms stop 43 left shown (stop 44)', () => {
  it('with HTML`s legacy names without `;`, and characters beyond U+00FF as references', () => {
    // Old code: all eight were logged as they are (a name was read only with its `;`, only
    // Latin-1's and the ASCII marks' names were known, a surrogate's number was no character).
    const amp = 'Tr0ub&dor&3<x>';
    const wide = 'p€ss—wörd😀αβ';
    hiddenWhole(
      [
        'Tr0ub&ampdor&amp3&ltx&gt',
        'Tr0ub&AMPdor&amp;3&LTx&GT;',
        'p&euro;ss&mdash;w&ouml;rd😀&alpha;&beta;',
        wide
          .split('')
          .map((c) => `&#${c.charCodeAt(0)};`)
          .join(''),
        wide
          .split('')
          .map((c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()}`)
          .join(''),
        'caf&eacutes&copy2026&nbspok',
        Array.from(wide, (c) => `\\U${c.codePointAt(0)!.toString(16).padStart(8, '0')}`).join(''),
        wide.replace('😀', '\\U0001F600'),
      ],
      [amp, wide, 'caf\u00e9s\u00a92026\u00a0ok'],
    );
  });

  it('as `\\u{..}`, octal and quoted-printable escapes', () => {
    // Old code: all eight were logged as they are.
    const smtp = 'hunter2/Sekr=t pä';
    const qp = quotedPrintable(smtp);
    expect(qp).toBe('hunter2/Sekr=3Dt=20p=C3=A4');
    hiddenWhole(
      [
        braced(smtp),
        `hunter2\\u{2f}Sekr=t p\\u{E4}`,
        octal(smtp),
        `"hunter2\\057Sekr=t p\\303\\244"`.slice(1, -1),
        qp,
        qp.replace(/=[0-9A-F]{2}/g, (e) => e.toLowerCase()),
        bytes(smtp)
          .map((b) => `=${hex2(b).toUpperCase()}`)
          .join(''),
        // A soft line break (`=` at a line's end) inside it, as a mail body wraps at 76 columns.
        `${qp.slice(0, 9)}=\r\n${qp.slice(9)}`,
      ],
      [smtp],
    );
  });

  it('percent-encoded 5, 6, 12 and 30 times', () => {
    // Old code: all four were logged as they are (a text was read four times at most).
    const secret = 'secret/Pw:1?';
    hiddenWhole(
      [percentTimes(secret, 5), percentTimes(secret, 6), percentTimes(secret, 12), percentTimes(secret, 30)],
      [secret],
    );
  });

  it('as hex in `xxd` groups, with `:`, `-` or `0x` before each byte, and over lines', () => {
    // Old code: all eight were logged as they are (only hex without separators, or with one
    // blank between bytes, was known).
    const secret = 'zoomsecret42';
    const b = bytes(secret).map(hex2);
    const groups = (h: string, n: number): string => h.match(new RegExp(`.{1,${n}}`, 'g'))!.join(' ');
    hiddenWhole(
      [groups(b.join(''), 4), groups(b.join(''), 8).toUpperCase(), b.join(':'), b.join('-').toUpperCase()],
      [secret],
    );
    // The first byte's `0x` is shown, as before a dump without separators (`0x[redacted]`).
    const prefixed = [
      b.map((x) => `0x${x}`).join(' '),
      b.map((x) => `0x${x.toUpperCase()}`).join(', '),
      b.map((x) => `0x${x}`).join(',\n  '),
    ];
    expect(
      logged(
        prefixed.map((l) => `seen ${l} end`),
        [secret],
      ),
    ).toEqual(prefixed.map(() => 'seen 0x[redacted] end'));
    // The secret at an odd byte of a dump's 2-byte groups: the groups' digits before it are shown.
    const dump = groups(Buffer.from(`us:${secret}`).toString('hex'), 4);
    expect(logged([`dump ${dump} end`], [secret])).toEqual(['dump 7573 3a[redacted] end']);
  });

  it('as UTF-16 (LE, BE, with a byte order mark) in base64, inside a longer base64 text, and in hex', () => {
    // Old code: all nine were logged as they are (only its UTF-8 bytes were known).
    const secret = 'p€ss/wörd';
    const bom = Buffer.from([0xff, 0xfe]);
    const out = logged(
      [
        utf16(secret).toString('base64'),
        utf16(secret, true).toString('base64'),
        Buffer.concat([bom, utf16(secret)]).toString('base64'),
        utf16(`user:${secret}`).toString('base64'),
        utf16(`us:${secret}`, true).toString('base64url'),
        utf16(secret).toString('hex'),
        utf16(secret, true).toString('hex').toUpperCase(),
        utf16(secret)
          .toString('hex')
          .replace(/..(?!$)/g, '$& '),
        Buffer.concat([bom, utf16(secret)]).toString('hex'),
      ].map((l) => `seen ${l} end`),
      [secret],
    );
    for (const line of out) expect(line).toMatch(/^seen [A-Za-z0-9+/_-]*\[redacted\][A-Za-z0-9+/=_-]* end$/);
    expect(out[3]).toBe('seen dQBzAGUAcgA6[redacted] end');
    // Those 12 characters write 9 bytes: the UTF-16 of `user` and the first byte of `:`'s.
    expect(Buffer.from('dQBzAGUAcgA6', 'base64')).toEqual(Buffer.from('user:', 'utf16le').subarray(0, 9));
  });
});

/** Every encoded form this stop adds, of `s`. */
const ENCODINGS: readonly ((s: string) => string)[] = [
  (s) => s.replaceAll('&', '&amp').replaceAll('<', '&lt'),
  (s) => Array.from(s, (c) => `\\U${c.codePointAt(0)!.toString(16).padStart(8, '0')}`).join(''),
  braced,
  octal,
  quotedPrintable,
  (s) => {
    const qp = quotedPrintable(s);
    return `${qp.slice(0, 3)}=\n${qp.slice(3)}`;
  },
  (s) => percentTimes(s, 6),
  (s) =>
    Buffer.from(s)
      .toString('hex')
      .replace(/(.{4})(?!$)/g, '$1 '),
  (s) => bytes(s).map(hex2).join(':'),
  (s) =>
    bytes(s)
      .map((b) => `0x${hex2(b)}`)
      .join(', '),
  (s) => utf16(s).toString('base64'),
  (s) => utf16(`user:${s}`, true).toString('base64'),
  (s) => utf16(s).toString('hex'),
];

describe('the log hides nothing else (stop 44)', () => {
  it('random texts, and a secret with one character changed, in every new encoding are kept whole (fixed seed)', () => {
    expect(expectNearMissesKept(ENCODINGS, 44, 3000)).toBeGreaterThan(2500);
  });

  it('while a random secret in each of those encodings is hidden (fixed seed)', () => {
    // Old code: none of the 13 encodings was hidden.
    expectEncodedHidden(ENCODINGS, 44, 2000);
  });

  it('and keeps ordinary text that looks like these forms', () => {
    const kept = [
      'GET /x?type=live&page_size=300&notify=1&para=2 from=2026-12-01 (=3D) &ampx &euro &mdash;',
      'mac 00:1a:2b:3c:4d:5e, uuid 3f2a-11ee-9c1d, bytes 0x7a 0x6f 0x6f, xxd 7a6f 6f6d 7365',
      'path "\\303\\244" \\u{1F600} \\U0001F600 =C3=A4 a=\nb %25252525252541',
      `${Buffer.from('zoomsecret4', 'utf16le').toString('base64')} ${Buffer.from('zoomsecret4', 'utf16le').toString('hex')}`,
    ];
    expect(logged(kept, ['zoomsecret42', 'secret/Pw:1?'])).toEqual(kept);
  });
});

describe('in linear time (stop 44)', () => {
  it('however many legacy names, braced, octal and quoted-printable escapes, hex runs and layers on a line', () => {
    const secret = 'zoomsecret42';
    const noise = [
      '&ampx&notin&para&frac14x '.repeat(5_000),
      '\\u{1F600}\\U0001F600\\303\\244=C3=A4=\r\n=3D41 '.repeat(5_000),
      'de ad:be-ef, 0x12 0xAB,\n3456 '.repeat(5_000),
      `%${'25'.repeat(50_000)}41`,
      '%25252525252525252541'.repeat(5_000),
    ].join(' ');
    const [out] = logged([`${noise} ${percentTimes(secret, 9)} ${octal(secret)} ${noise}`], [secret]);
    expect(out).toBe(`${noise} [redacted] [redacted] ${noise}`);
  });
});
