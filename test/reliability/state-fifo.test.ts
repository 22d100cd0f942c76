import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StateFiles } from '../../src/util/state-files.js';
import { readJsonFile } from '../../src/util/atomic-file.js';
import { printed, startCli } from '../helpers/cli.js';
import { captureLog } from '../helpers/log.js';

/**
 * A named pipe planted in the state folder (as alerts.json, as the webhook spool) made the daemon
 * wait forever in open() at start-up: no /healthz, nothing said. Start-up now refuses it, naming
 * the file and what is expected; a read at runtime moves it aside like a corrupt file. The daemon
 * runs as a separate process: the old code never returned, and the test fails on the deadline
 * (`printed`) instead of hanging with it.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-state-fifo-'));
const running: ReturnType<typeof startCli>[] = [];
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A config whose Zoom is unreachable (127.0.0.1:2), its state in `state`. */
function config(name: string, state: string, extra = ''): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `zoom:\n  api_url: http://127.0.0.1:2\n  oauth_url: http://127.0.0.1:2/oauth/token\n  account_id: a\n  client_id: c\n  client_secret: s\n` +
      `sources:\n  webinars: false\nmetrics:\n  listen: 127.0.0.1:0\n${extra}state:\n  dir: ${state}\nlog:\n  format: json\n`,
  );
  return file;
}

/**
 * `qoswatch run` on the state folder `state`: its output and exit code once it refused to start,
 * or, when it started (the old code, on a FIFO it meets only when it reads it), once stopped.
 */
async function run(name: string, state: string, extra = ''): Promise<{ out: string; code: number | null }> {
  const p = startCli(['run', '--config', config(name, state, extra)]);
  running.push(p);
  await printed(p, /cannot start|"msg":"qoswatch running/, 30_000);
  if (p.output().includes('qoswatch running')) p.child.kill('SIGTERM');
  return { code: await p.exited, out: p.output() };
}

/** `qoswatch run` on a state folder holding a FIFO at `fifo` (relative to it): its output and exit code. */
function runWithFifo(name: string, fifo: string, extra = ''): Promise<{ out: string; code: number | null }> {
  const state = join(dir, `state-${name}`);
  mkdirSync(join(state, fifo, '..'), { recursive: true });
  execFileSync('mkfifo', [join(state, fifo)]);
  return run(name, state, extra);
}

const WEBHOOKS = `webhooks:\n  listen: 127.0.0.1:0\n  apps:\n    - { name: qss, path: /zoom/qss, secret_token: t0ken }\n`;

describe('a state file that is not a regular file', () => {
  it('alerts.json a FIFO: run refuses to start, naming it, exit 1 (never waits on it)', async () => {
    const { out, code } = await runWithFifo('alerts', 'alerts.json');
    expect(out).toContain(
      `qoswatch run: cannot start: state file ${join(dir, 'state-alerts', 'alerts.json')} is a named pipe (FIFO); expected a regular file`,
    );
    expect(code).toBe(1);
  }, 60_000);

  it('the webhook spool a FIFO: run refuses to start, naming it, exit 1', async () => {
    const { out, code } = await runWithFifo('spool', join('webhooks', 'webhooks.spool'), WEBHOOKS);
    expect(out).toContain(
      `state file ${join(dir, 'state-spool', 'webhooks', 'webhooks.spool')} is a named pipe (FIFO); expected a regular file`,
    );
    expect(code).toBe(1);
  }, 60_000);

  it('alerts.json a symlink to a FIFO elsewhere: run refuses to start, naming both (stop 40: links were not followed, the FIFO was met when read)', async () => {
    const state = join(dir, 'state-link');
    mkdirSync(state);
    const fifo = join(dir, 'elsewhere.fifo');
    execFileSync('mkfifo', [fifo]);
    symlinkSync(fifo, join(state, 'alerts.json'));
    const { out, code } = await run('link', state);
    expect(out).toContain(
      `qoswatch run: cannot start: state file ${join(state, 'alerts.json')} (a symbolic link to ${fifo}) is a named pipe (FIFO); expected a regular file (qoswatch's own state) or none: remove it`,
    );
    expect(code).toBe(1);
  }, 60_000);

  it('webhooks/ a symlink to a folder whose spool is a FIFO: run refuses to start (stop 40: the folder behind the link was not looked into)', async () => {
    const state = join(dir, 'state-folder-link');
    const real = join(dir, 'webhooks-elsewhere');
    mkdirSync(state);
    mkdirSync(real);
    execFileSync('mkfifo', [join(real, 'webhooks.spool')]);
    symlinkSync(real, join(state, 'webhooks'));
    const { out, code } = await run('folder-link', state, WEBHOOKS);
    expect(out).toContain(
      `qoswatch run: cannot start: state file ${join(state, 'webhooks', 'webhooks.spool')} is a named pipe (FIFO); expected a regular file`,
    );
    expect(code).toBe(1);
  }, 60_000);

  it('a FIFO in a folder the daemon reads nothing from, however deep: run starts (it is never opened)', async () => {
    const state = join(dir, 'state-unread');
    mkdirSync(join(state, 'backup', 'a', 'b'), { recursive: true });
    execFileSync('mkfifo', [join(state, 'backup', 'a', 'b', 'alerts.json')]);
    const { out, code } = await run('unread', state);
    expect(out).toContain('qoswatch running');
    expect(out).not.toContain('expected a regular file');
    expect(code).toBe(0); // stopped by SIGTERM
  }, 60_000);

  it('read at runtime: moved aside and logged once, like a corrupt file; read as nothing', () => {
    const folder = join(dir, 'runtime');
    mkdirSync(folder);
    const file = join(folder, 'notify.json');
    execFileSync('mkfifo', [file]);
    expect(readJsonFile(file)).toBeUndefined();
    const { log, lines } = captureLog();
    const files = new StateFiles(log, () => 0);
    expect(files.read(file, (raw) => ({ value: raw, discarded: [] }))).toBeUndefined();
    expect(lines.map((l) => l.msg)).toEqual([
      `state file ${file} is corrupt: it is a named pipe (FIFO); expected a regular file; discarded the whole file; moved to ${file}.corrupt-1970-01-01T00-00-00-000Z; starting without it`,
    ]);
    expect(readdirSync(folder)).toEqual(['notify.json.corrupt-1970-01-01T00-00-00-000Z']);
    expect(files.read(file, (raw) => ({ value: raw, discarded: [] }))).toBeUndefined();
    expect(lines).toHaveLength(1);
  });
});
