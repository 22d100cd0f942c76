import { expect } from 'vitest';
import fc from 'fast-check';
import { LogSecrets } from '../../src/util/log-secrets.js';

/** An encoding of a text, as a server may echo a secret in it. */
export type Encoding = (s: string) => string;

/**
 * Checks, over `runs` random lines (fixed `seed`), that LogSecrets hides nothing of a line made of
 * random texts, of a secret with one character changed, each in one of `encodings`, and of
 * `tokens` as they are (text that looks like an escape and is none, or is one of no secret): each
 * piece is checked to hold no secret, and the check is seen to fail where one does (an unchanged
 * secret in a piece makes hide() change the line). Gives how many lines were checked.
 */
export function expectNearMissesKept(
  encodings: readonly Encoding[],
  seed: number,
  runs: number,
  tokens: readonly string[] = [],
): number {
  const secret = fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 6,
    maxLength: 16,
  });
  const encoding = fc.integer({ min: 0, max: encodings.length - 1 });
  const text = fc.oneof(fc.string({ maxLength: 24 }), fc.string({ unit: 'binary', maxLength: 24 }));
  const changed = fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 }));
  const token = tokens.length ? [fc.constantFrom(...tokens).map((t) => ({ token: t }))] : [];
  let checked = 0;
  fc.assert(
    fc.property(
      fc.array(secret, { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(fc.oneof(text, changed, ...token), encoding), { maxLength: 8 }),
      (secrets, pieces) => {
        const plain = pieces.map(([p]) => {
          if (typeof p === 'string') return p;
          if (!Array.isArray(p)) return p.token;
          const s = secrets[0]!;
          const at = p[0] % s.length;
          return `${s.slice(0, at)}${p[1]}${s.slice(at + 1)}`;
        });
        // A piece that holds a secret is no case of this check.
        fc.pre(!plain.some((p) => secrets.some((v) => p.includes(v))));
        const line = plain
          .map((p, i) =>
            typeof pieces[i]![0] === 'object' && !Array.isArray(pieces[i]![0])
              ? p
              : encodings[pieces[i]![1]]!(p),
          )
          .join(' ');
        expect(new LogSecrets(secrets).hide(line)).toBe(line);
        checked++;
      },
    ),
    { seed, numRuns: runs },
  );
  return checked;
}

/** Checks, over `runs` random secrets (fixed `seed`), that LogSecrets hides one in each of `encodings`. */
export function expectEncodedHidden(encodings: readonly Encoding[], seed: number, runs: number): void {
  const secret = fc.string({ unit: 'grapheme', minLength: 6, maxLength: 16 }).filter((s) => !/\s/.test(s));
  const encoding = fc.integer({ min: 0, max: encodings.length - 1 });
  fc.assert(
    fc.property(secret, encoding, (s, e) => {
      const line = `seen ${encodings[e]!(s)} end`;
      expect(new LogSecrets([s]).hide(line)).toContain('[redacted]');
    }),
    { seed, numRuns: runs },
  );
}
