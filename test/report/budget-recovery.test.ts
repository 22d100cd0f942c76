import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startSim, type SimHarness } from '../helpers/sim.js';

/**
 * `qoswatch report` and `qoswatch inspect` beside a damaged budget file (outside tester, on
 * 6387044): they set it aside and restart the count as the daemon does, and say so on stderr
 * in one log line (they said nothing: their state files logged to a silent logger); a count
 * written as a quoted number ("used":"95") is still read (it restarted from the pace).
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-budget-recovery-'));
let h: SimHarness;
beforeAll(async () => {
  h = await startSim({
    meetings: [{ id: 444, topic: 'Standup', start: '0m', end: '60m', crowd: { count: 3 } }],
  });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

function setUp(name: string, budget: (day: number) => string, pool = 100): { config: string; file: string } {
  const state = join(dir, `state-${name}`);
  mkdirSync(state, { recursive: true });
  // The commands count on the real clock's day (the simulator's clock is another).
  const file = join(state, 'budget-zoom.json');
  writeFileSync(file, budget(Math.floor(Date.now() / 86_400_000)));
  const config = join(dir, `config-${name}.yaml`);
  writeFileSync(
    config,
    [
      'zoom:',
      `  api_url: ${h.url}`,
      `  oauth_url: ${h.url}/oauth/token`,
      '  account_id: any',
      '  client_id: any-id',
      '  client_secret: any-secret',
      '  daily_share: 1',
      '  limits:',
      `    daily_pool: ${pool}`,
      'state:',
      `  dir: ${state}`,
      '',
    ].join('\n'),
  );
  return { config, file };
}

const corruptLines = (stderr: string): Record<string, unknown>[] =>
  stderr
    .split('\n')
    .filter((l) => l.includes('is corrupt'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('report and inspect beside a damaged budget file', () => {
  it.each([
    ['report', ['report', '--reserve', '0', '--format', 'json', '--out', '/dev/null', '444']],
    ['inspect', ['inspect', '--reserve', '0', '444']],
  ])('%s: the file set aside in one stderr line, the quoted count kept', async (name, args) => {
    const { config, file } = setUp(name, (day) => `{"day":${day},"used":"95"}`);
    const run = await runCli([args[0]!, '--config', config, ...args.slice(1)]);
    expect(run.code, run.stderr).toBe(0);
    const lines = corruptLines(run.stderr); // none on the old code
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      discarded_whole_file: true,
      used_recovered: 95, // the pace on the old code
      recovered_from: 'file-text',
    });
    expect(lines[0]!.msg).toMatch(
      /budget-zoom\.json is corrupt: .*starting from 95 calls, the count still readable/,
    );
    // The count restarted from 95, plus the command's own calls.
    const after = JSON.parse(readFileSync(file, 'utf8')) as { used: number };
    expect(after.used).toBeGreaterThan(95);
  });

  it('a count nothing can read: the pace, said in the line', async () => {
    // The pace is the pool's share of the day gone by: with a pool of 100 it left fewer than the
    // report's 4 calls after 23:02 UTC, and the test failed late in the day. With 10,000,000,
    // 4 calls are left until the day's last half millisecond.
    const { config } = setUp('pace', (day) => `{"day":${day},"used":null}`, 10_000_000);
    const run = await runCli([
      'report',
      '--config',
      config,
      '--reserve',
      '0',
      '--format',
      'json',
      '--out',
      '/dev/null',
      '444',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const lines = corruptLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ discarded_whole_file: true, recovered_from: 'pace' });
  });
});
