import { describe, expect, it } from 'vitest';
import { braced, bytes, hex2, octal, quotedPrintable } from '../helpers/escape-writers.js';
import { loggedText } from '../helpers/log.js';

/**
 * A configured secret in the encoded forms stop 43 left shown and stop 44's reverted change
 * tried to hide (note44-final: HTML names without `;` and beyond Latin-1, `\u{..}`, octal,
 * quoted-printable, `xxd`/`:`/`0x`/`od -x` hex, deep percent-encoding, UTF-16, `\X..`, a base64
 * credential with its `+`, `/`, `=` escaped), read now in a second reading of their own
 * (util/text-readings.ts), so that what the first reading hid stays hidden
 * (test/util/encoded-secret-forms.test.ts, rA44's lines).
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

const percentTimes = (s: string, n: number): string => {
  let out = s;
  for (let i = 0; i < n; i++) out = encodeURIComponent(out);
  return out;
};
const utf16 = (s: string, be = false): Buffer => {
  const le = Buffer.from(s, 'utf16le');
  return be ? Buffer.from(le).swap16() : le;
};

describe('the log hides a configured secret in the forms stop 43 left shown (stop 45)', () => {
  it('with HTML`s legacy names without `;`, names beyond Latin-1 and surrogate halves', () => {
    // Old code: all eight were logged as they are.
    const amp = 'Tr0ub&dor&3<x>';
    const wide = 'p€ss—wörd😀αβ';
    hiddenWhole(
      [
        'Tr0ub&ampdor&amp3&ltx&gt',
        'Tr0ub&AMPdor&amp;3&LTx&GT;',
        'p&euro;ss&mdash;w&ouml;rd😀&alpha;&beta;',
        Array.from(wide.split(''), (c) => `&#${c.charCodeAt(0)};`).join(''),
        Array.from(wide.split(''), (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()}`).join(''),
        'caf&eacutes&copy2026&nbspok',
        Array.from(wide, (c) => `\\U${c.codePointAt(0)!.toString(16).padStart(8, '0')}`).join(''),
        wide.replace('😀', '\\U0001F600'),
      ],
      [amp, wide, 'caf\u00e9s\u00a92026\u00a0ok'],
    );
  });

  it('as `\\u{..}`, octal (1 to 4 digits), `\\X..` and quoted-printable escapes, soft breaks too', () => {
    // Old code: all thirteen were logged as they are.
    const smtp = 'hunter2/Sekr=t pä';
    const qp = quotedPrintable(smtp);
    expect(qp).toBe('hunter2/Sekr=3Dt=20p=C3=A4');
    hiddenWhole(
      [
        braced(smtp),
        'hunter2\\u{2f}Sekr=t p\\u{E4}',
        octal(smtp),
        'hunter2\\57Sekr=t\\40p\\303\\244',
        'hunter2\\057Sekr\\75t\\0040p\\303\\244',
        bytes(smtp)
          .map((b) => `\\X${hex2(b).toUpperCase()}`)
          .join(''),
        qp,
        qp.replace(/=[0-9A-F]{2}/g, (e) => e.toLowerCase()),
        bytes(smtp)
          .map((b) => `=${hex2(b).toUpperCase()}`)
          .join(''),
        // Soft line breaks (`=` at a line's end), as a mail body wraps at 76 columns; white space
        // between the `=` and the line's end too (RFC 2045: a decoder drops it), and a JSON body's.
        `${qp.slice(0, 9)}=\r\n${qp.slice(9)}`,
        `${qp.slice(0, 9)}= \t\r\n${qp.slice(9)}`,
        `${qp.slice(0, 4)}=\n${qp.slice(4, 12)}=  \n${qp.slice(12)}`,
        JSON.stringify(`${qp.slice(0, 9)}=\r\n${qp.slice(9)}`).slice(1, -1),
      ],
      [smtp],
    );
  });

  it('as `echo -e` octal (`\\0` and 3 digits) and as C reads the same digits', () => {
    // `\0124` is `T` to echo -e and printf %b, a line feed and `4` to C: each is read its way.
    hiddenWhole(['Sekr\\0124pw42', 'line\\0124more'], ['SekrTpw42', 'line\n4more']);
  });

  it('percent-encoded 5, 6, 12 and 30 times', () => {
    // Old code: all four were logged as they are (a text was read four times at most).
    const secret = 'secret/Pw:1?';
    hiddenWhole(
      [percentTimes(secret, 5), percentTimes(secret, 6), percentTimes(secret, 12), percentTimes(secret, 30)],
      [secret],
    );
  });

  it('as hex in `xxd` groups, with `:`, `-` or `0x` before each byte, over lines, and as `od -x` words', () => {
    // Old code: all eleven were logged as they are (only hex without separators, or with one
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
    // `od -x`: 16-bit little-endian words, the secret at an even byte of the dump, then at an odd one.
    const od = (s: string): string => groups(Buffer.from(s).swap16().toString('hex'), 4);
    expect(od('zoomsecret42')).toBe('6f7a 6d6f 6573 7263 7465 3234');
    expect(logged([`dump ${od('zoomsecret42')} end`, `dump ${od('azoomsecret42b')} end`], [secret])).toEqual([
      'dump [redacted] end',
      // The words of `az` and `2b` hold a byte of the secret each: those two are shown.
      'dump 7a61 [redacted] 6232 end',
    ]);
  });

  it('as UTF-16 (LE, BE, with a byte order mark) in base64, inside a longer base64 text, and in hex', () => {
    // Old code: all eight were logged as they are (only its UTF-8 bytes were known).
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
        Buffer.concat([bom, utf16(secret)]).toString('hex'),
      ].map((l) => `seen ${l} end`),
      [secret],
    );
    for (const line of out) expect(line).toMatch(/^seen [A-Za-z0-9+/_-]*\[redacted\][A-Za-z0-9+/=_-]* end$/);
    expect(out[3]).toBe('seen dQBzAGUAcgA6[redacted] end');
  });

  it('inside a base64 credential whose `+`, `/` or `=` are escaped (URL, HTML, JSON, PHP)', () => {
    // Old code: all six were logged as they are (base64 was looked for as it is only).
    const secret = 'Sek?~>ret/?¿';
    const basic = Buffer.from(`ab:${secret}`).toString('base64');
    expect(basic).toBe('YWI6U2VrP34+cmV0Lz/Cvw==');
    const own = Buffer.from(secret).toString('base64');
    expect(own).toBe('U2VrP34+cmV0Lz/Cvw==');
    const out = logged(
      [
        `header Basic%20${encodeURIComponent(basic)}`,
        `Basic ${basic.replaceAll('+', '%2b').replaceAll('/', '%2F')}`,
        `Basic ${basic.replaceAll('+', '&#43;').replaceAll('/', '&#x2F;').replaceAll('=', '&#61;')}`,
        `{"auth":"Basic ${basic.replaceAll('/', '\\/')}"}`,
        `{"auth":"Basic ${basic.replaceAll('+', '\\u002b').replaceAll('/', '\\u002F')}"}`,
        `sent ${own.replaceAll('+', '%2B').replaceAll('/', '%2F').replaceAll('=', '%3D')}`,
      ],
      [secret],
    );
    expect(out).toEqual([
      'header Basic%20YWI6[redacted]',
      'Basic YWI6[redacted]',
      'Basic YWI6[redacted]',
      '{"auth":"Basic YWI6[redacted]"}',
      '{"auth":"Basic YWI6[redacted]"}',
      'sent [redacted]',
    ]);
  });

  it('and keeps ordinary text that looks like these forms', () => {
    const kept = [
      'GET /x?type=live&page_size=300&notify=1&para=2 from=2026-12-01 (=3D) &ampx &euro &mdash;',
      'mac 00:1a:2b:3c:4d:5e, uuid 3f2a-11ee-9c1d, bytes 0x7a 0x6f 0x6f, xxd 7a6f 6f6d 7365',
      'path "\\303\\244" \\u{1F600} \\U0001F600 \\X41 \\0124 =C3=A4 a=\nb %25252525252541',
      `${Buffer.from('zoomsecret4', 'utf16le').toString('base64')} ${Buffer.from('zoomsecret4', 'utf16le').toString('hex')}`,
      `od ${Buffer.from('zoomsecret4!').swap16().toString('hex')} b64 ${encodeURIComponent('YWI6U2VrP34+cmV1Lz/Cvw==')}`,
    ];
    expect(logged(kept, ['zoomsecret42', 'secret/Pw:1?', 'Sek?~>ret/?¿'])).toEqual(kept);
  });
});

describe('in linear time (stop 45)', () => {
  it('however many legacy names, braced, octal and quoted-printable escapes, hex runs and layers on a line', () => {
    const secret = 'zoomsecret42';
    const noise = [
      '&ampx&notin&para&frac14x&#55357 '.repeat(2_000),
      '\\u{1F600}\\U0001F600\\303\\244\\0124\\X41=C3=A4=\r\n= \n=3D41 \\u{'.repeat(2_000),
      'de ad:be-ef, 0x12 0xAB,\n3456 '.repeat(2_000),
      `%${'25'.repeat(20_000)}41`,
      '%25252525252525252541'.repeat(2_000),
    ].join(' ');
    const [out] = logged([`${noise} ${percentTimes(secret, 9)} ${octal(secret)} ${noise}`], [secret]);
    expect(out).toBe(`${noise} [redacted] [redacted] ${noise}`);
  });
});
