import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../src/util/package-root.js';

const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
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
});
