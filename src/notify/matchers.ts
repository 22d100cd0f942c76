import { compilePattern, isPattern, type Pattern } from '../util/patterns.js';

/**
 * Label matchers used by routes, silences and inhibit rules: `{ severity: critical }` matches
 * exactly; `*` globs and `/regex/` work as in rule filters (RE2: linear time); a list matches
 * any of its values; a value starting with `!` must not match.
 */
export type Matchers = Record<string, string | string[]>;
export type LabelTest = (labels: Readonly<Record<string, string>>) => boolean;

export function compileMatchers(m: Matchers | undefined): LabelTest {
  if (!m || !Object.keys(m).length) return () => true;
  const tests = Object.entries(m).map(([label, value]) => {
    const list = Array.isArray(value) ? value : [value];
    const neg = list.filter((v) => v.startsWith('!')).map((v) => toRe(v.slice(1)));
    const pos = list.filter((v) => !v.startsWith('!')).map(toRe);
    return (labels: Readonly<Record<string, string>>): boolean => {
      const v = labels[label] ?? '';
      if (neg.some((re) => re.test(v))) return false;
      return pos.length === 0 || pos.some((re) => re.test(v));
    };
  });
  return (labels) => tests.every((t) => t(labels));
}

/** Every pattern in `m` that cannot be compiled: where it is (label, list index) and why. */
export function matcherProblems(m: Matchers | undefined): { path: (string | number)[]; error: string }[] {
  const out: { path: (string | number)[]; error: string }[] = [];
  for (const [label, value] of Object.entries(m ?? {})) {
    const list = Array.isArray(value) ? value : [value];
    list.forEach((v, i) => {
      const re = compilePattern(v.startsWith('!') ? v.slice(1) : v);
      if (!isPattern(re)) out.push({ path: Array.isArray(value) ? [label, i] : [label], error: re.error });
    });
  }
  return out;
}

function toRe(p: string): Pattern {
  const re = compilePattern(p);
  if (isPattern(re)) return re;
  throw new Error(re.error);
}
