import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRules as parsing } from '../../src/evaluate/load-rules.js';
import type { CompiledRule } from '../../src/evaluate/rule-types.js';
import { fromRoot } from '../../src/util/package-root.js';

/**
 * The build parses the shipped rule files ahead (src/cli/build-parsed-rules.ts) and the built
 * loadRules takes them from there (src/evaluate/shipped-rules.ts): the same rules as parsing
 * the YAML, and the same file:line:col messages whenever there is a problem.
 */
const built = (await import(
  pathToFileURL(fromRoot('dist', 'src', 'evaluate', 'load-rules.js')).href
)) as typeof import('../../src/evaluate/load-rules.js');
const { parsedRulesFile, textKey } = (await import(
  pathToFileURL(fromRoot('dist', 'src', 'evaluate', 'shipped-rules.js')).href
)) as typeof import('../../src/evaluate/shipped-rules.js');

const DEFAULT = fromRoot('rules', 'default.yaml');
const text = readFileSync(DEFAULT, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'qw-parsed-rules-'));

/** A compiled rule as plain data: functions left out, sets as lists, `at` read. */
const plain = (rules: CompiledRule[]): unknown =>
  JSON.parse(
    JSON.stringify(
      rules.map((r) => ({
        ...r,
        contextUses: r.contextUses.map((u) => ({ field: u.field.rule, as: u.as, at: u.at })),
      })),
      (_, v: unknown) => (v instanceof Set ? [...(v as Set<unknown>)] : v),
    ),
  );

function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the rules to be rejected');
}

describe('the shipped rules as the build parsed them', () => {
  it('are written by the build, keyed by the text of the file', () => {
    expect(existsSync(parsedRulesFile(textKey(text)))).toBe(true);
  });

  it('compile to the same rules as the YAML, file:line:col of each context field included', () => {
    const rules = built.loadRules([fromRoot('rules')]);
    expect(rules.length).toBeGreaterThan(3);
    expect(plain(rules)).toEqual(plain(parsing([fromRoot('rules')])));
  });

  it('a shipped file read again elsewhere: a name defined twice is reported at its file:line:col', () => {
    const copy = join(dir, 'copy');
    mkdirSync(copy);
    writeFileSync(join(copy, 'default.yaml'), text);
    const paths = [fromRoot('rules'), copy];
    const message = messageOf(() => built.loadRules(paths));
    expect(message).toContain(
      `${join(copy, 'default.yaml')}:19:11: rules[0].name: rule "audio-latency-high" is already defined in`,
    );
    expect(message).toBe(messageOf(() => parsing(paths)));
  });

  it('a shipped file changed since the build is parsed: its problems say file:line:col', () => {
    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, text.replace('threshold: 300ms', 'threshold: 30%'));
    const message = messageOf(() => built.loadRules([changed]));
    expect(message).toContain(`${changed}:24:16: rules[0].threshold: latency threshold: found "30%"`);
    expect(message).toBe(messageOf(() => parsing([changed])));
  });
});
