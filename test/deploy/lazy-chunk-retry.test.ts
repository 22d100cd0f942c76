import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { cliMeeting } from '../helpers/cli-meeting.js';
import { printed } from '../helpers/cli.js';

/**
 * Defect fD45 (LOW): the metrics registry (and the Zoom HTTP client) are imported at their first
 * use, and a failed import was kept for good. A rebuild swaps dist/ in by two renames, with no
 * dist/ for an instant between them (scripts/build.mjs): a daemon run from the clone whose first
 * scrape fell in that instant answered 500 to every scrape until restarted. Now the next scrape
 * imports again. The instant is made here by moving the registry's chunk out of a copy of the
 * built dist/ (npm test builds it) and back, around a real `qoswatch run` started from the copy.
 */
const { config } = cliMeeting();
const root = mkdtempSync(join(tmpdir(), 'qw-lazy-chunk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * The chunk that the built metrics module imports at the first scrape: the registry's. Found by
 * following main.js's imports, since dist/ also keeps the previous build's chunks (build.mjs).
 */
function registryChunk(src: string): string {
  const chunks = join(src, 'chunks');
  const seen = new Set<string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from |import\()"\.\/(?:chunks\/)?([\w-]+\.js)"/g))
      walk(join(chunks, m[1]!));
  };
  walk(join(src, 'main.js'));
  const found = [...seen].filter((f) => /\/registry-[\w-]+\.js$/.test(f));
  expect(found.length, 'main.js loads one registry chunk').toBe(1);
  return found[0]!;
}

describe('a daemon run from a dist/ that loses a chunk for an instant (scripts/build.mjs)', () => {
  it('a scrape while the registry chunk is missing fails; the next, once it is back, loads it', async () => {
    cpSync(fromRoot('dist'), join(root, 'dist'), { recursive: true });
    copyFileSync(fromRoot('package.json'), join(root, 'package.json'));
    for (const shared of ['node_modules', 'src', 'rules']) symlinkSync(fromRoot(shared), join(root, shared));
    const chunk = registryChunk(join(root, 'dist', 'src'));
    const away = join(root, 'registry-chunk.away');
    // Away before the daemon starts: its first scrape (or first cycle's observation) is its first import.
    renameSync(chunk, away);

    const child = spawn(
      process.execPath,
      [join(root, 'dist', 'src', 'main.js'), 'run', '--config', config('lazy-chunk.yaml')],
      { env: { ...process.env, SECRET: 'csecret' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const p = { child, output: () => out };
    try {
      const url = (await printed(p, /health on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
      const missing = await fetch(`${url}/metrics`);
      expect(missing.status).toBe(500);
      await missing.text();

      renameSync(away, chunk);
      const back = await fetch(`${url}/metrics`);
      const body = await back.text();
      expect(back.status, body.slice(0, 500)).toBe(200);
      expect(body).toMatch(/^qoswatch_\w+/m);
      // One of the registry's own (collectors/poll.ts), not only the text-rendered series.
      expect(body).toMatch(/^qoswatch_poll_interval_seconds \d/m);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, out).toBe(0);
  }, 120_000);
});
