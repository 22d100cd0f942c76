import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockStateDir, StateDirLockedError } from '../../src/util/state-lock.js';
import { bootId, processStartTicks } from '../../src/util/process-start.js';

const lockIn = (dir: string): string => join(dir, 'qoswatch.lock');
const held = (dir: string, pid: number, host = hostname(), more: object = {}): void =>
  writeFileSync(lockIn(dir), JSON.stringify({ pid, host, since: '2026-12-01T10:00:00Z', ...more }));
/** A lock as this version writes it for `pid`: with its start time and boot. */
const heldBy = (dir: string, pid: number, more: object = {}): void =>
  held(dir, pid, hostname(), { start: processStartTicks(pid), boot: bootId(), ...more });
const takenOver = (dir: string): void => {
  const release = lockStateDir(dir);
  expect(JSON.parse(readFileSync(lockIn(dir), 'utf8'))).toMatchObject({ pid: process.pid });
  release();
};

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
    heldBy(dir, process.ppid);
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

  it('waits for a live start that holds the takeover claim, then refuses naming it (bounded: 5 s)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-lock-'));
    held(dir, spawnSync(process.execPath, ['-e', '0']).pid);
    const stale = readFileSync(lockIn(dir), 'utf8');
    const claim = join(
      dir,
      `qoswatch.lock.${createHash('sha256').update(stale).digest('hex').slice(0, 32)}.took`,
    );
    const taker = { pid: process.ppid, host: hostname(), since: '2026-12-01T11:00:00Z' };
    writeFileSync(
      claim,
      JSON.stringify({ ...taker, start: processStartTicks(taker.pid), boot: bootId() }) + '\n',
    );
    expect(() => lockStateDir(dir)).toThrow(
      `state dir ${dir} is being taken over by qoswatch pid ${process.ppid} (since 2026-12-01T11:00:00Z)`,
    );
    expect(readFileSync(lockIn(dir), 'utf8')).toBe(stale);
    expect(existsSync(claim)).toBe(true);
  }, 20_000);

  it('records the start time and boot of its process (Linux)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-lock-'));
    const release = lockStateDir(dir);
    const lock = JSON.parse(readFileSync(lockIn(dir), 'utf8')) as { start: string; boot: string };
    expect(lock.start).toBe(readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
    expect(lock.boot).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    release();
  });
});

describe('a lock whose pid is alive but is not the qoswatch that wrote it (outside tester, M1)', () => {
  let other: ChildProcess;
  beforeAll(() => {
    other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  });
  afterAll(() => other.kill('SIGKILL'));

  it('is held while that process is the one it names (same start time and boot)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-lock-'));
    heldBy(dir, other.pid!);
    expect(() => lockStateDir(dir)).toThrow(`is in use by qoswatch pid ${other.pid}`);
  });

  it.each([
    ['its pid reused by a process started at another time', { start: '1' }],
    ['written in another boot', { boot: '00000000-0000-0000-0000-000000000000' }],
  ])('is taken over: %s', (_name, more) => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-lock-'));
    heldBy(dir, other.pid!, more);
    takenOver(dir);
  });

  it('naming this very process (a container restarted: pid 1 again) is taken over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-lock-'));
    heldBy(dir, process.pid, { start: '1' });
    takenOver(dir);
    heldBy(dir, process.pid);
    takenOver(dir);
  });

  it('without a start time (an older qoswatch): held only by a process started before the lock was written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-lock-'));
    held(dir, other.pid!, hostname(), { since: '2020-01-01T00:00:00Z' }); // written before it started: a reused pid
    takenOver(dir);
    held(dir, other.pid!, hostname(), { since: new Date().toISOString() }); // it may be the older qoswatch
    expect(() => lockStateDir(dir)).toThrow(StateDirLockedError);
  });

  it('not written by qoswatch (no date in since, as echoed by hand) is taken over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-lock-'));
    held(dir, other.pid!, hostname(), { since: 'x' });
    takenOver(dir);
  });
});
