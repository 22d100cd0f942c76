import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULTS } from '../../src/config/defaults.js';
import { fromRoot } from '../../src/util/package-root.js';

/**
 * Outside tester hT41 (LOW): the docs' walkthroughs left their state inside the clone, untracked
 * in `git status`: README's `npx qoswatch run --config docs/examples/simulator.yaml` made
 * docs/examples/qoswatch-state/, docs/report.md's made docs/report/state/. Every config the docs
 * give keeps its state.dir (as `run` resolves it: beside the file, `${X:-default}` at its
 * default) where git ignores it.
 */
const CONFIGS = [
  ...readdirSync(fromRoot('docs', 'examples'))
    .filter((f) => f.endsWith('.yaml') && !/\.(rules|test)\.yaml$/.test(f))
    .map((f) => join('docs', 'examples', f)),
  join('docs', 'report', 'config.yaml'),
];

/** The state folder `run` makes for a config, relative to the clone. */
function stateDirOf(file: string): string {
  const raw = parse(readFileSync(fromRoot(file), 'utf8')) as { state?: { dir?: string } };
  const written = (raw.state?.dir ?? DEFAULTS.state.dir).replace(/\$\{\w+:-([^}]*)\}/g, '$1');
  return relative(fromRoot(), resolve(dirname(fromRoot(file)), written));
}

describe("the docs' walkthroughs", () => {
  it.runIf(existsSync(fromRoot('.git')))('keep their state where git ignores it', () => {
    expect(CONFIGS.length).toBeGreaterThan(5);
    const dirs = CONFIGS.map(stateDirOf);
    expect(dirs).toContain(join('docs', 'examples', 'qoswatch-state'));
    expect(dirs).toContain(join('docs', 'report', 'state'));
    const paths = [...dirs.map((d) => join(d, 'alerts.json')), 'weekly-sync.html'];
    // check-ignore prints each path it ignores (exit 1 when none is).
    let out = '';
    try {
      out = execFileSync('git', ['check-ignore', ...paths], { cwd: fromRoot(), encoding: 'utf8' });
    } catch {
      // none ignored
    }
    expect(out.trim().split('\n').filter(Boolean).sort()).toEqual([...paths].sort());
  });
});
