import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { processAlive } from '../../src/util/process-alive.js';

const failing = (code: string | undefined) => (): never => {
  throw Object.assign(new Error(`kill: ${code}`), code ? { code } : {});
};

describe('processAlive', () => {
  it('a running process is alive, one that has exited is gone', () => {
    const child = spawn('sleep', ['60']);
    try {
      expect(processAlive(child.pid!)).toBe(true);
      expect(processAlive(process.pid)).toBe(true);
    } finally {
      child.kill();
    }
    expect(processAlive(spawnSync('true').pid)).toBe(false);
  });

  it('a process that has exited but is not reaped yet (a zombie) is gone', async () => {
    // The subshell waits until its parent has exec'd into `sleep 30`, then exits; `sleep` never
    // waits for it: it stays a zombie, answering signal 0, until the parent goes. A restart right
    // after a SIGKILL, before the supervisor reaps the old daemon, sees its pid like this. (A
    // `sleep 0 &` child could exit, and be reaped by sh, before the exec: under two full suites on
    // 2 cores it never became a zombie.)
    const script =
      '( read -r _ _ _ p _ < /proc/self/stat; while [ "$(cat /proc/$p/comm)" != sleep ]; do :; done ) & echo $!; exec sleep 30';
    const parent = spawn('sh', ['-c', script], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number((await once(parent.stdout, 'data'))[0]);
      // Polled, not timed: the subshell exits once the exec is done.
      const state = async (): Promise<string | undefined> => {
        for (let i = 0; i < 200_000; i++) {
          const s = (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.[0];
          if (s === 'Z') return s;
          await new Promise((r) => setImmediate(r));
        }
        return undefined;
      };
      expect(await state()).toBe('Z');
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(processAlive(pid)).toBe(false);
    } finally {
      parent.kill();
    }
  });

  it('a number that cannot be a pid names no process (a hostile lock or budget file)', () => {
    for (const pid of [0, -1, 1.5, NaN, Infinity, 2 ** 31, 4_294_967_295])
      expect(processAlive(pid)).toBe(false);
  });

  it('ESRCH is gone, EPERM (another user) is alive, and any other error is taken as alive', () => {
    expect(processAlive(1234, failing('ESRCH'))).toBe(false);
    expect(processAlive(1234, failing('EPERM'))).toBe(true);
    // The chosen rule: an answer that says nothing about the process keeps it (docs in process-alive.ts).
    expect(processAlive(1234, failing('EINVAL'))).toBe(true);
    expect(processAlive(1234, failing(undefined))).toBe(true);
  });
});
