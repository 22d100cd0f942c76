import { didYouMean } from '../util/did-you-mean.js';
import { durationMs } from '../util/duration.js';
import type { FileProblem } from '../util/file-errors.js';
import type { YamlSource } from '../util/yaml-file.js';
import type { ExpectedAlert, RawTest } from './rule-tests-schema.js';

/**
 * An `expect` naming a rule the test's rule files do not have, refused at its `rule:` before any
 * test runs, with the nearest rule name. Before, `rule: nonexistent` only failed its test, as an
 * alert "expected, not found" beside the alert it meant.
 */
export function expectRuleProblems(
  src: YamlSource,
  tests: readonly RawTest[],
  rules: readonly string[],
): FileProblem[] {
  const known = new Set(rules);
  const problems: FileProblem[] = [];
  tests.forEach((test, t) =>
    test.expect.forEach((exp, k) =>
      exp.alerts.forEach((a, j) => {
        if (known.has(a.rule)) return;
        const hint = didYouMean(a.rule, rules);
        problems.push(
          src.problemAt(
            ['tests', t, 'expect', k, 'alerts', j, 'rule'],
            `no rule "${a.rule}" in the test's rule_files${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${rules.join(', ') || '(none)'}`,
          ),
        );
      }),
    ),
  );
  return problems;
}

const pairs = (o: Record<string, string>, keys: readonly string[], quote: boolean): string =>
  keys
    .filter((k) => o[k] !== undefined)
    .map((k) => `${k}=${quote ? JSON.stringify(o[k]) : o[k]}`)
    .join(', ');

/**
 * An alert as a failure line: rule, state, reason, labels and the annotations in `annotations`
 * (those the expectations at that time name): an expectation on a summary that differs shows
 * both summaries, not two lines that read the same.
 */
export function describeAlert(
  a: {
    rule: string;
    state: string;
    reason?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  },
  annotations: readonly string[],
): string {
  const labels = a.labels ?? {};
  const shown = pairs(a.annotations ?? {}, annotations, true);
  return `${a.rule} ${a.state}${a.reason ? ` (${a.reason})` : ''} {${pairs(labels, Object.keys(labels), false)}}${shown ? ` annotations {${shown}}` : ''}`;
}

/** The annotation names the expectations name, in the order first named. */
export const annotationNames = (expected: readonly ExpectedAlert[]): string[] => [
  ...new Set(expected.flatMap((e) => Object.keys(e.annotations ?? {}))),
];

/**
 * Two tests of one name (a failure is said by its name, so which one failed could not be told),
 * and two `expect` entries of one test at one time (each is compared with every alert at that
 * time, so two that differ can never both pass): refused at the later one.
 */
export function duplicateProblems(src: YamlSource, tests: readonly RawTest[]): FileProblem[] {
  const problems: FileProblem[] = [];
  const names = new Map<string, number>();
  tests.forEach((test, t) => {
    const first = names.get(test.name);
    if (first === undefined) names.set(test.name, t);
    else
      problems.push(
        src.problemAt(
          ['tests', t, 'name'],
          `a second test named ${JSON.stringify(test.name)} (tests[${first}] is one); expected each test's name once`,
        ),
      );
    const times = new Map<number, number>();
    test.expect.forEach((exp, k) => {
      const at = durationMs(exp.at);
      const earlier = times.get(at);
      if (earlier === undefined) times.set(at, k);
      else
        problems.push(
          src.problemAt(
            ['tests', t, 'expect', k, 'at'],
            `a second expect at ${exp.at} (expect[${earlier}] is at ${test.expect[earlier]!.at}); expected one entry per time, with every alert of that time in its alerts`,
          ),
        );
    });
  });
  return problems;
}
