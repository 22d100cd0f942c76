import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockStateDir, StateDirLockedError } from '../../src/util/state-lock.js';

const lockIn = (dir: string): string => join(dir, 'qoswatch.lock');
const held = (dir: string, pid: number, host = hostname()): void =>
  writeFileSync(lockIn(dir), JSON.stringify({ pid, host, since: '2026-12-01T10:00:00Z' }));

describe('the state dir lock', () => {
  it('is taken, names this process, and is released', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'qw-lock-')), 'state');
    const release = lockStateDir(dir);
    expect(JSON.parse(readFileSync(lockIn(dir), 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    release();
    expect(existsSync(lockIn(dir))).toBe(false);
  });

  it('refuses while another live process on this host holds it, saying which', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-lock-'));
    held(dir, process.ppid);
    expect(() => lockStateDir(dir)).toThrow(StateDirLockedError);
    expect(() => lockStateDir(dir)).toThrow(
      `state dir ${dir} is in use by qoswatch pid ${process.ppid} (since 2026-12-01T10:00:00Z): one instance runs per state dir`,
    );
    expect(JSON.parse(readFileSync(lockIn(dir), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('takes over a lock left by a process that is gone, by another host, or unreadable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-lock-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    for (const left of [
      () => held(dir, dead),
      () => held(dir, process.ppid, 'other-host'),
      () => writeFileSync(lockIn(dir), '{"pi'),
    ]) {
      left();
      const release = lockStateDir(dir);
      expect(JSON.parse(readFileSync(lockIn(dir), 'utf8'))).toMatchObject({ pid: process.pid });
      release();
    }
  });
});
