import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder holding qoswatch's package.json. Shipped data (the default scenario, JSON
 * schemas, default rules) is read relative to it, so the same paths work from `src/` under
 * vitest and from `dist/src/` after a build.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('qoswatch: package.json not found above ' + import.meta.url);
    dir = up;
  }
}

export function fromRoot(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

/** qoswatch's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;
}
