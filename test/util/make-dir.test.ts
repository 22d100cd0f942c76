import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/atomic-file.js';
import { makeDir, MakeDirError } from '../../src/util/make-dir.js';
import { lockStateDir } from '../../src/util/state-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-make-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'x\n');
const loop = join(dir, 'loop');
symlinkSync(loop, loop);

/** What makeDir threw for `path`, as { path, code }. */
function refusal(path: string): { path: string; code: string } | undefined {
  try {
    makeDir(path);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(MakeDirError);
    const e = err as MakeDirError;
    return { path: e.path, code: e.code };
  }
}

// Old code used mkdirSync(dir, { recursive: true }): on /proc/qw it never returned (Node retries
// the ENOENT under /proc, which exists, for ever), so these tests hung the worker.
describe('makeDir', () => {
  it('makes the missing folders, and takes one that exists', () => {
    const deep = join(dir, 'a', 'b', 'c');
    makeDir(deep);
    makeDir(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it.each([
    {
      name: 'under /proc (mkdir says ENOENT under a folder that exists)',
      path: '/proc/qw',
      at: '/proc/qw',
      code: 'ENOENT',
    },
    { name: 'deeper under /proc', path: '/proc/qw/a/b', at: '/proc/qw', code: 'ENOENT' },
    { name: 'a regular file', path: aFile, at: aFile, code: 'ENOTDIR' },
    {
      name: 'under a regular file',
      path: join(aFile, 'sub', 'state'),
      at: join(aFile, 'sub', 'state'),
      code: 'ENOTDIR',
    },
    // hT40b: said ENOTDIR (a loop is no file).
    { name: 'at a symbolic link that leads back to itself', path: loop, at: loop, code: 'ELOOP' },
  ])('stops at once $name, naming the folder', ({ path, at, code }) => {
    expect(refusal(path)).toEqual({ path: at, code });
    expect(existsSync(join(aFile, 'sub'))).toBe(false);
  });

  it('the writers that make their folder stop too: an atomic write, the state lock', () => {
    expect(() => writeFileAtomic('/proc/qw/alerts.json', '{}')).toThrow(
      'cannot make folder /proc/qw (ENOENT)',
    );
    expect(() => lockStateDir(join(aFile, 'state'))).toThrow(
      `cannot make folder ${join(aFile, 'state')} (ENOTDIR)`,
    );
  });
});
