import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliMeeting } from '../helpers/cli-meeting.js';
import { printed, runCli, startCli } from '../helpers/cli.js';
import { post, zoomHeaders } from '../helpers/zoom-webhook.js';

/** One daemon a state dir: a second run, or once, beside a running one; a stale lock taken over. */

const { dir, config } = cliMeeting();

describe('qoswatch', () => {
  it('a second run on the same state dir refuses to start and says which process holds it', async () => {
    const file = config('lock.yaml');
    const first = startCli(['run', '--config', file], { SECRET: 'csecret' });
    await printed(first, 'qoswatch running');
    const second = await runCli(['run', '--config', file], { SECRET: 'csecret' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `qoswatch run: cannot start: state dir ${join(dir, 'state-lock.yaml')} is in use by qoswatch pid ${first.child.pid} (since `,
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it("a second run refused by the lock leaves the running one's webhook state as it was (outside tester, stop 37)", async () => {
    // Before, its webhook service was built before the lock was taken: it cut the running
    // daemon's spool at a torn last line and rewrote its seen-*.json and done offset.
    const { first, file, state } = await daemonWithTornSpool('lock-webhooks.yaml', 'qoswatch running');
    try {
      const hooks = join(state, 'webhooks');
      const before = filesOf(hooks);
      expect(Object.keys(before)).toContain('webhooks.spool');
      const second = await runCli(['run', '--config', file], { SECRET: 'csecret' });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`is in use by qoswatch pid ${first.child.pid} (since `);
      expect(filesOf(hooks)).toEqual(before);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  it('once beside a running daemon on the same state dir changes none of its files but the budget count (stop 37)', async () => {
    // Before, once built the webhook service (cutting a torn spool line, writing seen-*.json and
    // the done offset) and saved its own alert state over the daemon's alerts.json at its end.
    const { first, file, state } = await daemonWithTornSpool('once-beside.yaml', '"msg":"cycle: ');
    try {
      const before = { root: filesOf(state), webhooks: filesOf(join(state, 'webhooks')) };
      expect(Object.keys(before.root)).toContain('alerts.json');
      const once = await runCli(['once', '--config', file], { SECRET: 'csecret' });
      expect(once.code).toBe(0);
      const after = { root: filesOf(state), webhooks: filesOf(join(state, 'webhooks')) };
      const budget = Object.keys(before.root).filter((n) => n.startsWith('budget-'));
      expect(budget).toHaveLength(1);
      expect(after.root[budget[0]!]!.mtimeMs).toBeGreaterThan(before.root[budget[0]!]!.mtimeMs);
      for (const b of budget) {
        delete before.root[b];
        delete after.root[b];
      }
      expect(after).toEqual(before);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });
});

describe('a stale lock whose pid now belongs to another process (outside tester, M1)', () => {
  it.each([
    ['written by hand, no valid since', (pid: number) => ({ pid, host: hostname(), since: 'x' })],
    [
      'written by qoswatch, the pid reused by a process started at another time',
      (pid: number) => ({ pid, host: hostname(), since: new Date().toISOString(), start: '1' }),
    ],
    [
      'written by an older qoswatch (no start) before that process started',
      (pid: number) => ({ pid, host: hostname(), since: '2020-01-01T00:00:00.000Z' }),
    ],
  ])('%s: run takes it over and starts', async (name, lock) => {
    // A live process that is not qoswatch holds the pid; nothing waits on its lifetime.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
    try {
      const file = config(`stale-${name.length}.yaml`);
      const state = join(dir, `state-stale-${name.length}.yaml`);
      mkdirSync(state, { recursive: true });
      writeFileSync(join(state, 'qoswatch.lock'), JSON.stringify(lock(other.pid!)));
      const p = startCli(['run', '--config', file], { SECRET: 'csecret' });
      await printed(p, 'qoswatch running');
      const taken = JSON.parse(readFileSync(join(state, 'qoswatch.lock'), 'utf8')) as { pid: number };
      expect(taken.pid).toBe(p.child.pid);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      other.kill('SIGKILL');
    }
  });
});

/**
 * `qoswatch run` with webhooks on a state dir of its own (config `name`), once it printed
 * `ready`, with one signed push handed on and then a torn record at its spool's end (one it is
 * in the middle of writing).
 */
async function daemonWithTornSpool(
  name: string,
  ready: string,
): Promise<{ first: ReturnType<typeof startCli>; file: string; state: string }> {
  const file = config(
    name,
    'webhooks:\n  listen: 127.0.0.1:0\n  apps:\n    - { name: qss, path: /zoom/qss, secret_token: try-me }\n',
  );
  const first = startCli(['run', '--config', file], { SECRET: 'csecret' });
  try {
    const url = (await printed(first, /receiving Zoom webhooks on (http:\/\/[^ "]+)/))[1]!;
    await printed(first, ready);
    const body = readFileSync(
      join(import.meta.dirname, '../fixtures/zoom-webhooks/meeting.participant_qos.json'),
    );
    expect((await post(`${url}/zoom/qss`, body, zoomHeaders('try-me', body, Date.now()))).status).toBe(200);
    const state = join(dir, `state-${name}`);
    await handedOn(join(state, 'webhooks'));
    appendFileSync(join(state, 'webhooks', 'webhooks.spool'), '{"partial record being written');
    return { first, file, state };
  } catch (err) {
    first.child.kill('SIGTERM'); // not left running when the setup fails
    throw err;
  }
}

/**
 * Waits until the running daemon has handed on every record of its spool in `hooks` and saved
 * the done offset (once a second): its own later write must not be taken for another process's.
 */
async function handedOn(hooks: string): Promise<void> {
  const spool = join(hooks, 'webhooks.spool');
  const done = join(hooks, 'webhooks.spool.done');
  for (let i = 0; i < 200; i++) {
    const offset = existsSync(done) ? (JSON.parse(readFileSync(done, 'utf8')) as { done: number }).done : -1;
    if (offset === statSync(spool).size) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${done} never reached the spool's end`);
}

/** Each file of `dir`: its bytes and modification time. */
function filesOf(dir: string): Record<string, { text: string; mtimeMs: number }> {
  const out: Record<string, { text: string; mtimeMs: number }> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isFile())
      out[name] = { text: readFileSync(path, 'latin1'), mtimeMs: statSync(path).mtimeMs };
  }
  return out;
}
