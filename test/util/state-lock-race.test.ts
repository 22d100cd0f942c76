import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** A lock-stepper child: its stdout lines, awaited one by one, and its stdin to step it. */
function stepper(dir: string, mode: 'hold' | 'go'): { child: ChildProcess; next: () => Promise<string> } {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '../helpers/lock-stepper.mjs'), lockJs, dir, mode],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  let wake = (): void => {};
  let ended = false;
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
    wake();
  });
  child.once('exit', () => {
    ended = true;
    wake();
  });
  const next = async (): Promise<string> => {
    while (lines.length === 0) {
      if (ended) throw new Error(`lock-stepper (${mode}) exited before saying more`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return lines.shift()!;
  };
  return { child, next };
}

/**
 * hT45b: a start (B) judged the lock stale and stalled before claiming it; meanwhile A took it
 * over and stopped (or was killed), and E took the lock. B's claim on the old text found A's
 * claim naming a dead owner, so B made the next one and renamed its record over E's live lock:
 * two daemons on one state dir. Three real processes, B held at the `judgedStale` hook.
 */
describe('a start that judged a lock stale, stalled, and claims it after it was taken over', () => {
  for (const how of ['stops cleanly', 'is killed'] as const)
    it(`finds the live lock of the start after it (A ${how} in between) and is refused`, async () => {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      const dir = mkdtempSync(join(tmpdir(), 'qw-lock-late-'));
      writeFileSync(
        join(dir, 'qoswatch.lock'),
        JSON.stringify({ pid: dead, host: hostname(), since: '2026-12-01T10:00:00Z' }),
      );
      const b = stepper(dir, 'hold');
      let a: ReturnType<typeof stepper> | undefined;
      let e: ReturnType<typeof stepper> | undefined;
      try {
        expect(await b.next()).toBe('judged');
        a = stepper(dir, 'go');
        expect(await a.next()).toBe('took');
        if (how === 'stops cleanly') {
          a.child.stdin!.write('release\n');
          expect(await a.next()).toBe('released');
          a.child.stdin!.end();
        } else {
          a.child.kill('SIGKILL');
        }
        await expect(a.next()).rejects.toThrow('exited');
        e = stepper(dir, 'go');
        expect(await e.next()).toBe('took');
        b.child.stdin!.write('go\n');
        expect(await b.next()).toBe(
          `locked: state dir ${dir} is in use by qoswatch pid ${e.child.pid} (since ` +
            `${(JSON.parse(readFileSync(join(dir, 'qoswatch.lock'), 'utf8')) as { since: string }).since}): ` +
            'one instance runs per state dir and Zoom account. Stop that one, or give this one its own state.dir',
        );
        expect(JSON.parse(readFileSync(join(dir, 'qoswatch.lock'), 'utf8'))).toMatchObject({
          pid: e.child.pid,
        });
        // B gave its claim up: no claim names it.
        const claims = readdirSync(dir).filter((f) => f.endsWith('.took'));
        for (const c of claims)
          expect(readFileSync(join(dir, c), 'utf8')).not.toContain(`"pid":${b.child.pid},`);
      } finally {
        for (const c of [a?.child, b.child, e?.child]) c?.stdin?.end();
      }
    }, 60_000);
});
