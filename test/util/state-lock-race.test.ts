import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';

/**
 * Two starts that read the same stale lock (its process gone) at the same time (hT45's aside:
 * the takeover was read, then write, so both could take it over and both run). Two real
 * processes, each held by the lock's `judgedStale` hook until both have judged it stale: the
 * interleaving the old code lost, made every time rather than by luck. Exactly one takes it.
 */
const racer = join(import.meta.dirname, '../helpers/lock-racer.mjs');
const lockJs = fromRoot('dist', 'src', 'util', 'state-lock.js');

function start(dir: string, me: string, other: string): { child: ChildProcess; said: Promise<string> } {
  const child = spawn(process.execPath, [racer, lockJs, dir, me, other], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const said = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) =>
      reject(new Error(`racer ${me} exited (${code}) saying ${JSON.stringify(out)}`)),
    );
  });
  return { child, said };
}

describe('two starts taking over the same stale lock at once', () => {
  it('one takes it, the other is refused naming it (10 rounds)', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    for (let round = 0; round < 10; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'qw-lock-race-'));
      writeFileSync(
        join(dir, 'qoswatch.lock'),
        JSON.stringify({ pid: dead, host: hostname(), since: '2026-12-01T10:00:00Z' }),
      );
      const a = start(dir, 'a', 'b');
      const b = start(dir, 'b', 'a');
      try {
        const said = await Promise.all([a.said, b.said]);
        const took = said.filter((s) => s === 'took');
        expect(took, said.join(' | ')).toHaveLength(1);
        const winner = said[0] === 'took' ? a.child : b.child;
        expect(said.find((s) => s !== 'took')).toMatch(
          new RegExp(
            `^locked: state dir ${dir} is (in use by|being taken over by) qoswatch pid ${winner.pid} `,
          ),
        );
        expect(JSON.parse(readFileSync(join(dir, 'qoswatch.lock'), 'utf8'))).toMatchObject({
          pid: winner.pid,
        });
      } finally {
        for (const c of [a.child, b.child]) c.stdin?.end();
      }
    }
  }, 120_000);
});
