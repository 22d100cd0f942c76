import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, withoutNpmSettings } from '../helpers/cli.js';
import { meetingWith } from '../helpers/sim.js';
import { Storm, waitFor } from '../helpers/storm.js';

/**
 * `npx qoswatch run` and `npm start` (README): a SIGTERM to npm ends npm and its `sh -c`
 * without reaching qoswatch. Started through real npm, the daemon notices that its parent is
 * gone and stops as on SIGTERM, saving its state and letting go of its lock.
 */
const storm = new Storm({ meetings: [meetingWith(2)] });
beforeAll(() => storm.start());
afterAll(() => storm.close());

/** The environment without the npm variables of the run that started the tests (npm test). */
const env = withoutNpmSettings();
const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

describe('qoswatch run started by npm', () => {
  it.each([
    {
      how: 'npm exec (what npx runs)',
      npm: (_dir: string, command: string) => ['exec', '-c', command],
    },
    {
      how: 'npm start',
      npm: (dir: string, command: string) => {
        writeFileSync(
          join(dir, 'package.json'),
          JSON.stringify({ name: 'ops', scripts: { start: command } }),
        );
        return ['start'];
      },
    },
  ])(
    'stops when its npm parent gets SIGTERM ($how)',
    async ({ npm }) => {
      const dir = mkdtempSync(join(tmpdir(), 'qw-npm-'));
      const config = storm.writeConfig(dir);
      const command = `${quote(process.execPath)} ${quote(CLI)} run --config ${quote(config)}`;
      const parent = spawn('npm', npm(dir, command), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
      parent.stderr.on('data', (d: Buffer) => (out += d.toString()));
      // The pipes stay open while any process holding them lives: qoswatch included, after npm.
      const allGone = new Promise<void>((resolve) => parent.stdout.on('close', () => resolve()));
      const lock = join(dir, 'state', 'qoswatch.lock');
      try {
        await waitFor(
          'qoswatch to start',
          () => out.includes('qoswatch running') && existsSync(lock),
          60_000,
        );
        const pid = (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid;
        expect(pid).not.toBe(parent.pid); // npm is not qoswatch: there is a process in between
        parent.kill('SIGTERM');
        let exited = false;
        void allGone.then(() => (exited = true));
        await waitFor('qoswatch to stop after npm', () => exited, 30_000);
        expect(out).toContain('the npm process that started it is gone; stopping as on SIGTERM');
        expect(out).toMatch(/"msg":"stopped"/);
        expect(existsSync(lock)).toBe(false);
        // Gone, or a zombie its new parent has not reaped yet: either way not running.
        const state = existsSync(`/proc/${pid}/stat`)
          ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]
          : 'gone';
        expect(['gone', 'Z', 'X']).toContain(state);
      } finally {
        if (parent.exitCode === null) parent.kill('SIGKILL');
        try {
          const pid = (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid;
          process.kill(pid, 'SIGKILL'); // only if the test failed: never leave a daemon behind
        } catch {
          // gone, as it should be
        }
      }
    },
    120_000,
  );
});
