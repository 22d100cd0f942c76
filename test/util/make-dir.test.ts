import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkChain, linksFollowed } from '../helpers/link-chain.js';
import { writeFileAtomic } from '../../src/util/atomic-file.js';
import { makeDir, MakeDirError } from '../../src/util/make-dir.js';
import { lockStateDir } from '../../src/util/state-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-make-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'x\n');
const loop = join(dir, 'loop');
symlinkSync(loop, loop);
// The most links in a row the system follows (Linux 40, macOS 32), asked of it.
const FOLLOWED = linksFollowed();
// l0 -> l1 -> ... -> l41 on Linux, a folder: one link more than the system follows, and no loop.
const chain = linkChain(dir, 'l', FOLLOWED + 1);
// two -> one -> two: a loop of two links; into -> two: a link into it.
symlinkSync(join(dir, 'two'), join(dir, 'one'));
symlinkSync(join(dir, 'one'), join(dir, 'two'));
symlinkSync(join(dir, 'two'), join(dir, 'into'));

/** What makeDir threw for `path`, as { path, code, message }. */
function refusal(path: string): { path: string; code: string; message: string } | undefined {
  try {
    makeDir(path);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(MakeDirError);
    const e = err as MakeDirError;
    return { path: e.path, code: e.code, message: e.message };
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
    expect(refusal(path)).toMatchObject({ path: at, code });
    expect(existsSync(join(aFile, 'sub'))).toBe(false);
  });

  // Old code: each said only "cannot make folder <path> (ELOOP)", as if <path> were the loop,
  // and called the chain of 41 links (no loop, on Linux) a loop in the state.dir check.
  it.each([
    {
      name: 'a symbolic link that leads back to itself',
      path: loop,
      says: `cannot make folder ${loop}: it is a symbolic link that leads back to itself (ELOOP)`,
    },
    {
      name: 'a folder under one',
      path: join(loop, 'state'),
      says: `cannot make folder ${join(loop, 'state')}: ${loop} is a symbolic link that leads back to itself (ELOOP)`,
    },
    {
      name: 'a folder under a link into a loop of two',
      path: join(dir, 'into', 'state'),
      says: `cannot make folder ${join(dir, 'into', 'state')}: ${join(dir, 'into')} is a symbolic link that leads into a loop of links at ${join(dir, 'two')} (ELOOP)`,
    },
    {
      name: `a folder under ${FOLLOWED + 1} links in a row, no loop`,
      path: join(chain, 'state'),
      says: `cannot make folder ${join(chain, 'state')}: ${chain} is a symbolic link that leads through more links in a row than the system follows (ELOOP; no loop)`,
    },
  ])('ELOOP names the link, and tells a loop from too many links: $name', ({ path, says }) => {
    expect(refusal(path)).toEqual({ path, code: 'ELOOP', message: says });
  });

  // These tests once took Linux's 40 for every system's: on macOS (32) 40 links fail.
  it(`${FOLLOWED} links in a row, the most the system follows, are followed: the folder is made at their end`, () => {
    makeDir(join(dir, 'l1', 'made'));
    expect(statSync(join(dir, `l${FOLLOWED + 1}`, 'made')).isDirectory()).toBe(true);
  });

  const known = ({ linux: 40, darwin: 32 } as Partial<Record<NodeJS.Platform, number>>)[process.platform];
  it.runIf(known !== undefined)(
    `the system follows ${known} links in a row (${process.platform}'s bound), as found`,
    () => {
      expect(FOLLOWED).toBe(known);
    },
  );

  it('the writers that make their folder stop too: an atomic write, the state lock', () => {
    expect(() => writeFileAtomic('/proc/qw/alerts.json', '{}')).toThrow(
      'cannot make folder /proc/qw (ENOENT)',
    );
    expect(() => lockStateDir(join(aFile, 'state'))).toThrow(
      `cannot make folder ${join(aFile, 'state')} (ENOTDIR)`,
    );
  });
});
