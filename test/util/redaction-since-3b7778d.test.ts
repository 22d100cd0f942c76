import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiddenValues } from '../../src/util/hide-values.js';
import { LogSecrets, MIN_LOG_SECRET, secretForms } from '../../src/util/log-secrets.js';
import { SKIP_MARK } from '../helpers/binaries.js';

/**
 * Nothing 3b7778d's log redaction hid is shown now (rA45 F2): its passes each replaced what they
 * found before the next read the text, so stop 45's hex forms (with separators, of UTF-16 bytes)
 * hid a shorter secret inside a longer one's escaped form first, and the longer one was then not
 * found whole. Every pass now reads the text as it is, and what they found is replaced at once.
 * The differential check reads 3b7778d's own files from git (its redaction as it was).
 */
const OLD = '3b7778d';
type Hide = (secrets: string[], text: string) => string;
let oldHide: Hide;
const dir = mkdtempSync(join(tmpdir(), 'qw-redaction-3b7778d-'));
/** The repository's root when its history holds 3b7778d (not in a shallow clone, or a tarball). */
const root = ((): string | undefined => {
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: 'pipe' });
    execFileSync('git', ['cat-file', '-e', `${OLD}^{commit}`], { cwd: top.trim(), stdio: 'pipe' });
    return top.trim();
  } catch {
    console.warn(
      `${SKIP_MARK} ${OLD} is not in this clone's history (shallow?): its redaction is not compared`,
    );
    return undefined;
  }
})();
beforeAll(async () => {
  if (!root) return;
  const files = ['log-secrets', 'hide-values'];
  for (let i = 0; i < files.length; i++) {
    const src = execFileSync('git', ['show', `${OLD}:src/util/${files[i]}.ts`], {
      cwd: root,
      encoding: 'utf8',
    });
    writeFileSync(join(dir, `${files[i]}.ts`), src);
    for (const m of src.matchAll(/from '\.\/([\w-]+)\.js'/g)) if (!files.includes(m[1]!)) files.push(m[1]!);
  }
  const h = (await import(join(dir, 'hide-values.ts'))) as { HiddenValues: typeof HiddenValues };
  const l = (await import(join(dir, 'log-secrets.ts'))) as { secretForms: typeof secretForms };
  oldHide = (secrets, text) => new h.HiddenValues(MARK, MIN_LOG_SECRET, l.secretForms, secrets).hide(text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MARK = '\u0001';
const MARKS = new RegExp(`${MARK}+`);
const newHide: Hide = (secrets, text) =>
  new HiddenValues(MARK, MIN_LOG_SECRET, secretForms, secrets).hide(text);

describe("a secret inside a longer one's escaped form (rA45 F2)", () => {
  it('leaves none of the longer one shown', () => {
    const cases: [string[], string][] = [
      // 4491bae: 'login my&#32;pw&#32;[redacted]' (`secret`'s UTF-16 hex hidden first).
      [['my pw 730065006300720065007400', 'secret'], 'login my&#32;pw&#32;730065006300720065007400'],
      [['my pw:730065006300720065007400', 'secret'], 'login my pw&#58;730065006300720065007400'],
      // 4491bae: 'login Sup3rPrefix&#32;[redacted]' (the hex with separators hidden first).
      [['Sup3rPrefix de:ad:be:ef:ca:fe', 'deadbeefcafe'], 'login Sup3rPrefix&#32;de:ad:be:ef:ca:fe'],
      [['Sup3rPrefix de:ad:be:ef:ca:fe', 'deadbeefcafe'], 'login Sup3rPrefix%20de:ad:be:ef:ca:fe'],
      [['Sup3rPrefix-de ad be ef ca fe', 'deadbeefcafe'], 'login Sup3rPrefix&#45;de ad be ef ca fe'],
      // Older than stop 45 (3b7778d showed 'Sup3rPrefix&#32;'), hidden whole too now.
      [['Sup3rPrefix deadbeefcafe', 'deadbeefcafe'], 'login Sup3rPrefix&#32;deadbeefcafe'],
    ];
    for (const [secrets, line] of cases) expect(new LogSecrets(secrets).hide(line)).toBe('login [redacted]');
  });

  it("and a form found is no part of an escape before it, as 3b7778d read it (`&#98` then a secret's digits)", () => {
    const B = "70252C3C9A4A&b7'=6eb";
    const line = `x ${Array.from(B.slice(0, -1), (c) => `&#${c.codePointAt(0)};`).join('')}&#98${B}`;
    expect(new LogSecrets([B, "b7'=6eb"]).hide(line)).toBe('x [redacted][redacted]');
  });
});

// A seeded generator (fixed seed: the same lines at each run).
let seed = 45;
const rnd = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
const ALPHA = Array.from('abcdefABCDEF0123456789xyzQ');
const PUNCT = Array.from(' -:=&%\\;#/+_.,"\'<>');
const WIDE = ['ä', 'é', '€', 'ß', '😀'];
const word = (min: number, max: number): string =>
  Array.from({ length: min + int(max - min + 1) }, () => {
    const r = rnd();
    return r < 0.03 ? pick(WIDE) : r < 0.18 ? pick(PUNCT) : pick(ALPHA);
  }).join('');
const hx = (n: number, w = 2): string => n.toString(16).padStart(w, '0');
const NAMES: Readonly<Record<string, string>> = {
  '&': 'amp',
  '<': 'lt',
  '>': 'gt',
  '"': 'quot',
  ';': 'semi',
  '#': 'num',
  '/': 'sol',
  '=': 'equals',
  '%': 'percnt',
  ':': 'colon',
  '+': 'plus',
  ' ': 'nbsp',
  '-': 'hyphen',
  ',': 'comma',
  "'": 'apos',
  '\\': 'bsol',
};

/** A form a secret may hold of another: its hex (with separators, of UTF-16 bytes, as `od -x`), base64, escaped. */
function formOf(a: string): string {
  const b = Buffer.from(a);
  const forms = [
    () => b.toString('hex'),
    () =>
      `${rnd() < 0.5 ? '0x' : ''}${Array.from(b, (x) => hx(x)).join(pick([':', ' ', '-', ', 0x', ' 0x']))}`,
    () => Buffer.from(a, 'utf16le').toString('hex'),
    () => Buffer.from(a, 'utf16le').swap16().toString('hex'),
    () =>
      Buffer.from(b.subarray(0, b.length - (b.length % 2)))
        .swap16()
        .toString('hex')
        .replace(/(....)(?!$)/g, '$1 '),
    () => b.toString('base64'),
    () => encodeURIComponent(a),
    () => JSON.stringify(a).slice(1, -1),
    () => a,
  ];
  const f = pick(forms)();
  return rnd() < 0.3 ? f.toUpperCase() : f;
}

/** `c` escaped in one of the kinds the redaction reads, with chance `p`. */
function escaped(c: string, p: number): string {
  if (rnd() >= p) return c;
  const b = Array.from(Buffer.from(c));
  const code = c.codePointAt(0)!;
  return [
    () => b.map((x) => `%${hx(x).toUpperCase()}`).join(''),
    () => b.map((x) => `%${hx(x)}`).join(''),
    () => Array.from({ length: c.length }, (_, i) => `\\u${hx(c.charCodeAt(i), 4)}`).join(''),
    () => b.map((x) => `\\x${hx(x)}`).join(''),
    () => `&#${code};`,
    () => `&#x${hx(code)};`,
    () => (NAMES[c] ? `&${NAMES[c]};` : c),
    () => (c.length === 1 ? `%u${hx(code, 4).toUpperCase()}` : c),
    () => `&#${code}`,
  ][int(9)]!();
}
const layer = (s: string): string =>
  [() => s.replace(/%/g, '%25'), () => s.replace(/&/g, '&amp;'), () => s.replace(/\\/g, '\\\\')][int(3)]!();
const CONTEXT = [
  '',
  ' ',
  'pw=',
  'x',
  '=3D',
  '\\',
  '\\0',
  '&#',
  '&amp',
  '0x',
  '%25',
  '%2',
  '\\u{',
  '&lt',
  '=4f',
  ':',
  ' de ad',
  '%u',
];
const context = (): string => Array.from({ length: int(3) }, () => pick(CONTEXT)).join('');

/**
 * Which characters of `text` stay in `out` (its hidden spans each one MARK): each kept piece
 * placed leftmost (or, `right`, rightmost), as the pieces fit in order.
 */
function kept(text: string, out: string, right = false): Uint8Array {
  const flip = (s: string): string => s.split('').reverse().join('');
  if (right) return kept(flip(text), flip(out)).reverse();
  const mask = new Uint8Array(text.length);
  const parts = out.split(MARKS);
  if (parts.length === 1) return mask.fill(1);
  let pos = parts[0]!.length;
  expect(text.startsWith(parts[0]!)).toBe(true);
  mask.fill(1, 0, pos);
  for (const part of parts.slice(1, -1)) {
    const at = text.indexOf(part, pos + 1);
    expect(at).toBeGreaterThan(pos);
    mask.fill(1, at, (pos = at + part.length));
  }
  expect(text.endsWith(parts.at(-1)!)).toBe(true);
  return mask.fill(1, text.length - parts.at(-1)!.length);
}

describe("3b7778d's redaction against today's, on random secrets holding another's forms (fixed seed)", () => {
  it.skipIf(!root)('hides every character 3b7778d hid', () => {
    const RUNS = 2_000;
    let [hiddenOld, hiddenMore] = [0, 0];
    const shown: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const a = word(6, 12);
      const shape = int(4);
      let secrets: string[];
      if (shape === 3) {
        // One secret inside another.
        const b = Array.from(word(10, 24));
        const at = int(4);
        secrets = [b.join(''), b.slice(at, at + 6 + int(b.length - 10)).join('')];
      } else {
        const b = `${word(3, 12)}${pick([' ', '-', ':', '=', '', '&', '%'])}${formOf(shape === 2 ? word(6, 10) : a)}${rnd() < 0.3 ? word(1, 4) : ''}`;
        secrets = [b, a];
      }
      const long = secrets[0]!;
      if (rnd() < 0.5) secrets.reverse();
      if (rnd() < 0.2) secrets.push(word(6, 10));
      const p = pick([0, 0.2, 0.5, 1]);
      let e = Array.from(long, (c) => escaped(c, p)).join('');
      for (let l = int(3); l > 0; l--) e = layer(e);
      let line = `${context()}${e}${context()}`;
      if (rnd() < 0.3)
        line += `${Array.from(pick(secrets), (c) => escaped(c, pick([0, 0.5]))).join('')}${context()}`;
      const [before, now] = [oldHide(secrets, line), newHide(secrets, line)];
      // Kept before: placed either way; kept now: placed both ways (no false alarm where a piece fits twice).
      const [l0, r0, l1, r1] = [
        kept(line, before),
        kept(line, before, true),
        kept(line, now),
        kept(line, now, true),
      ];
      if (before !== line) hiddenOld++;
      if (now.length < before.length) hiddenMore++;
      if (l0.some((k, i) => !k && !r0[i] && l1[i] && r1[i]))
        shown.push(JSON.stringify({ secrets, line, before, now }));
    }
    expect(shown).toEqual([]);
    // The check can fail: most lines held something 3b7778d hid.
    expect(hiddenOld).toBeGreaterThan(RUNS * 0.7);
    console.log(
      `rA45 F2 differential: ${RUNS} lines, ${hiddenOld} with text 3b7778d hid, ${hiddenMore} hidden more now, 0 shown`,
    );
  });
});
