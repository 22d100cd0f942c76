import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { FileInvalidError, MAX_PROBLEMS_SHOWN } from '../../src/util/file-errors.js';
import { CLI } from '../helpers/cli.js';

/**
 * `${` references are read in linear time: `qoswatch check` of a config of up to 1 MiB (the most
 * a config may be) whose value is a run of refused `${`. A synchronous loop cannot be timed out by
 * vitest, so each check runs in a child process that is killed at HANG_BOUND_MS: work that grew
 * again with the square of the text (hours for 1 MiB) or faster fails the test at the bound
 * instead of hanging the run. The bound is no timing figure: linear work takes about a second.
 */
const HANG_BOUND_MS = 40_000;

const dir = mkdtempSync(join(tmpdir(), 'qw-env-linear-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EXPECTED = 'expected ${VAR}, ${VAR:-default}, or $$ for a literal $';

/** `qoswatch check` of a config of `text`, killed at HANG_BOUND_MS: its exit code (null when killed) and stderr. */
function checkBounded(
  name: string,
  text: string,
): Promise<{ file: string; code: number | null; stderr: string }> {
  const file = join(dir, name);
  writeFileSync(file, text);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'check', '--config', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: HANG_BOUND_MS,
      killSignal: 'SIGKILL',
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ file, code, stderr }));
  });
}

describe('a config value of many refused ${', () => {
  const n = 340_000; // `${A` 340,000 times: 1,020,000 bytes, under the 1 MiB a config may be
  const runs = '${A'.repeat(n);

  it('in a quoted value: each said at its place, the first 20 and a count, in linear time', async () => {
    // The old code found each one's place by counting the ones before it again, and read the rest
    // of the value for each one's message: 40,000 took 55 s, 340,000 would take hours.
    const r = await checkBounded(
      'quoted.yaml',
      `zoom:\n  account_id: "${runs}"\n  client_id: c\n  client_secret: s\n`,
    );
    expect(r.code, 'killed at the bound: the work is no longer linear').toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([
      `${r.file}:2:16: a "\${A" with no closing "}"; ${EXPECTED}`,
      `${r.file}:2:19: a "\${A" with no closing "}"; ${EXPECTED}`,
    ]);
    expect(lines.at(-1)).toBe(`… and ${n - 20} more problems`);
  });

  it('only the problems shown are built, the rest counted: the count line stays true', () => {
    // The old code built all 340,000 (message, line:col, object) to show 20: `qoswatch check` of
    // this 1 MiB file peaked at 196 MB (RSS), 170 MB now, as a valid value of as many `$$` does.
    const file = join(dir, 'counted.yaml');
    writeFileSync(
      file,
      `zoom:\n  account_id: "${runs}"\n  client_id: \${NOPE_1}\n  client_secret: \${NOPE_2}\n`,
    );
    let err: unknown;
    try {
      loadConfig(file, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileInvalidError);
    const { problems, unbuilt, message } = err as FileInvalidError;
    expect(problems).toHaveLength(MAX_PROBLEMS_SHOWN);
    // Every refused `${` and both unset variables are counted.
    expect(unbuilt).toBe(n + 2 - MAX_PROBLEMS_SHOWN);
    expect(problems.at(-1)!.message).toBe(`a "\${A" with no closing "}"; ${EXPECTED}`);
    expect(message.split('\n').at(-1)).toBe(`… and ${n + 2 - MAX_PROBLEMS_SHOWN} more problems`);
  });

  it('an unset variable past the ones shown is counted too', () => {
    const file = join(dir, 'unset.yaml');
    const names = Array.from({ length: 30 }, (_, i) => `\${NOPE_${i}}`).join(' ');
    writeFileSync(file, `zoom:\n  account_id: "${names}"\n  client_id: c\n  client_secret: s\n`);
    let err: unknown;
    try {
      loadConfig(file, {});
    } catch (e) {
      err = e;
    }
    const { problems, unbuilt, message } = err as FileInvalidError;
    expect(problems.map((p) => p.message)).toEqual(
      Array.from({ length: 20 }, (_, i) => expect.stringContaining(`NOPE_${i} is not set`) as unknown),
    );
    expect(unbuilt).toBe(10);
    expect(message.split('\n').at(-1)).toBe('… and 10 more problems');
  });

  it('in a block value and in a default: at their places too', async () => {
    const r = await checkBounded(
      'block.yaml',
      `zoom:\n  account_id: |\n    ${'${A'.repeat(n / 2)}\n  client_id: "\${X:-${'$'.repeat(10_000)}"\n  client_secret: s\n`,
    );
    expect(r.code, 'killed at the bound: the work is no longer linear').toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([
      `${r.file}:3:5: a "\${A" with no closing "}"; ${EXPECTED}`,
      `${r.file}:3:8: a "\${A" with no closing "}"; ${EXPECTED}`,
    ]);
    expect(lines.at(-1)).toBe(`… and ${n / 2 + 1 - 20} more problems`);
  });
});
