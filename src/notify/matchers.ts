import { compilePattern } from '../evaluate/filters.js';

/**
 * Label matchers used by routes, silences and inhibit rules: `{ severity: critical }` matches
 * exactly; `*` globs and `/regex/` work as in rule filters; a list matches any of its values;
 * a value starting with `!` must not match.
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

function toRe(p: string): RegExp {
  const re = compilePattern(p);
  if (re instanceof RegExp) return re;
  throw new Error(re.error);
}
