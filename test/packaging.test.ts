import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../src/util/package-root.js';

const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  license: string;
  files: string[];
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the package', () => {
  it('lists every package the code imports as a runtime dependency (a production install has no devDependencies)', () => {
    const imported = new Set<string>();
    for (const file of sources(fromRoot('src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^import [^;]*? from '([^'.][^']*)';/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    for (const name of imported) expect(pkg.dependencies, name).toHaveProperty(name);
  });

  it('ships the data files read at run time', () => {
    for (const f of [
      'src/config/config.schema.json',
      'src/evaluate/rules.schema.json',
      'src/simulator/scenarios',
      'rules/*.yaml',
    ])
      expect(pkg.files).toContain(f);
  });

  it('npm pack holds the compiled code, the runtime data, LICENSE and the rule tests; no sources or source maps', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: fromRoot(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const f of [
      'LICENSE',
      'package.json',
      'dist/src/main.js',
      'dist/schema/config.schema.json',
      'src/config/config.schema.json',
      'src/evaluate/rules.schema.json',
      'src/simulator/scenarios/default.yaml',
      'rules/default.yaml',
      'rules/tests/default.test.yaml',
      'config.example.yaml',
      'docs/deployment.md',
      'docs/prometheus/qoswatch-alerts.yml',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => /\.(ts|map)$/.test(f) || f.startsWith('test/'))).toEqual([]);
    expect(readFileSync(fromRoot('LICENSE'), 'utf8')).toContain(
      'Apache License\n                           Version 2.0',
    );
    expect(pkg.license).toBe('Apache-2.0');
  });
});
