import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';

/**
 * Every source file the docs name exists: a path under `src/`, written with `src/` or from one
 * of its folders (`poll/joins.ts`, `../app/reports.ts`), as the docs write them. A move or a
 * rename that leaves a page naming the old file fails here.
 */
const DOCS = [
  'README.md',
  ...readdirSync(fromRoot('docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const FOLDERS = readdirSync(fromRoot('src'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
/** A path of at least two parts ending in a file's extension, not inside a longer path or a URL. */
const PATH = /(?<![\w/.:-])(?:\.\.\/)*((?:[\w-]+\/)+[\w.-]+\.(?:ts|json|yaml|cjs|js))(?![\w/-])/g;
/** The docs' own made-up names, in the rule they illustrate (docs/architecture.md). */
const ILLUSTRATIONS = new Set(['notify/pipeline/x.ts', 'notify/y.ts']);

/** The src/ files a doc names, with the line they are on. */
function namedSourcePaths(text: string): { path: string; line: number }[] {
  const found: { path: string; line: number }[] = [];
  for (const m of text.matchAll(PATH)) {
    const named = m[1]!;
    const first = named.split('/')[0]!;
    if (ILLUSTRATIONS.has(named)) continue;
    const path = first === 'src' ? named : FOLDERS.includes(first) ? `src/${named}` : undefined;
    if (path) found.push({ path, line: text.slice(0, m.index).split('\n').length });
  }
  return found;
}

describe('the source files the docs name', () => {
  it('reads paths as the docs write them, and not parts of URLs or longer paths', () => {
    const text =
      'see `poll/joins.ts` and (`../app/reports.ts`), src/main.ts,\n`cli/<name>.ts`, https://x.io/zoom/a.json, test/poll/b.ts';
    expect(namedSourcePaths(text)).toEqual([
      { path: 'src/poll/joins.ts', line: 1 },
      { path: 'src/app/reports.ts', line: 1 },
      { path: 'src/main.ts', line: 1 },
    ]);
  });

  it.each(DOCS)('%s names only files that exist', (doc) => {
    const missing = namedSourcePaths(readFileSync(fromRoot(doc), 'utf8'))
      .filter(({ path }) => !existsSync(fromRoot(path)))
      .map(({ path, line }) => `${doc}:${line}: ${path}`);
    expect(missing).toEqual([]);
  });
});
