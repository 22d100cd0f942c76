import { spawn, spawnSync } from 'node:child_process';
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
