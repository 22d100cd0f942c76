import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { printed, runCli, startCli, waitForOk } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-startup-'));
const CERT = fromRoot('test', 'fixtures', 'tls', 'cert.pem');
const KEY = fromRoot('test', 'fixtures', 'tls', 'key.pem');

/** A config whose Zoom is unreachable (127.0.0.1:1): the daemon runs, polls fail and are logged. */
function config(
  name: string,
  opts: { listen?: string; stateDir?: string; extra?: string; shutdownTimeout?: string } = {},
): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `zoom:\n  api_url: http://127.0.0.1:2\n  oauth_url: http://127.0.0.1:2/oauth/token\n  account_id: a\n  client_id: c\n  client_secret: s\n` +
      `sources:\n  webinars: false\npoll:\n  shutdown_timeout: ${opts.shutdownTimeout ?? '1s'}\n` +
      `metrics:\n  listen: ${opts.listen ?? '127.0.0.1:0'}\n${opts.extra ?? ''}` +
      `state:\n  dir: ${opts.stateDir ?? join(dir, `state-${name}`)}\nlog:\n  format: json\n`,
  );
  return file;
}

/** The stderr lines that are not JSON log records: what a person reads. */
const plainLines = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{'));

let busy: Server;
let busyPort: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  busyPort = (busy.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => busy.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('start-up failures exit 1 at once with one clear line', () => {
  it('metrics port in use', async () => {
    const r = await runCli(['run', '--config', config('port', { listen: `127.0.0.1:${busyPort}` })]);
    expect(r.code).toBe(1);
    expect(plainLines(r.stderr)).toEqual([
      `qoswatch run: cannot start: metrics.listen 127.0.0.1:${busyPort} is in use by another program (EADDRINUSE); expected a free port`,
    ]);
  });

  it('a garbage TLS certificate or key: check and run both refuse it, naming the file and line', async () => {
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'this is not PEM at all\n');
    // A real private key, but not the certificate's.
    const otherKey = join(dir, 'other-key.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(otherKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const cases = [
      {
        name: 'bad-cert',
        cert: garbage,
        key: KEY,
        line: 15,
        setting: 'cert_file',
        what: 'not a PEM certificate',
      },
      {
        name: 'bad-key',
        cert: CERT,
        key: garbage,
        line: 16,
        setting: 'key_file',
        what: 'not a PEM private key',
      },
      {
        name: 'cert-as-key',
        cert: CERT,
        key: CERT,
        line: 16,
        setting: 'key_file',
        what: 'not a PEM private key',
      },
      {
        name: 'other-key',
        cert: CERT,
        key: otherKey,
        line: 16,
        setting: 'key_file',
        what: "not the certificate's key",
      },
    ];
    for (const c of cases) {
      const file = config(c.name, {
        extra: `  web:\n    tls_server_config:\n      cert_file: ${c.cert}\n      key_file: ${c.key}\n`,
      });
      // check for every case; run (the same loading code) for the first.
      for (const command of c === cases[0] ? ['check', 'run'] : ['check']) {
        const r = await runCli([command, '--config', file]);
        expect(r.code, `${command} ${c.name}`).toBe(2); // a configuration error
        const lines = plainLines(r.stderr);
        expect(lines, `${command} ${c.name}`).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(
            `^${file}:${c.line}:\\d+: metrics\\.web\\.tls_server_config\\.${c.setting}: .* is ${c.what}: .*; expected a PEM certificate and its private key$`,
          ),
        );
        expect(r.stderr).not.toContain('this is not PEM');
      }
    }
  });

  it('a state dir that cannot be made', async () => {
    // A name longer than the file system takes (ENAMETOOLONG): the config is fine, mkdir is not.
    const stateDir = join(dir, 'x'.repeat(300));
    const r = await runCli(['run', '--config', config('state', { stateDir })]);
    expect(r.code).toBe(1);
    expect(plainLines(r.stderr)).toEqual([
      `qoswatch run: cannot start: state.dir ${stateDir} is not a writable directory (ENAMETOOLONG); expected one qoswatch can write`,
    ]);
  });

  // Old code: `check` said valid; `run` spun for ever in Node's recursive mkdir (ENOENT under
  // /proc, which exists), printing nothing and ignoring SIGTERM: this test timed out.
  it.each(['/proc/qoswatch-state', '/sys/qoswatch-state'])(
    'a state dir in a kernel file system (%s) is refused by check and run at the setting',
    async (stateDir) => {
      const file = config('state-kernel', { stateDir });
      for (const command of ['check', 'run']) {
        const r = await runCli([command, '--config', file]);
        expect(r.code, command).toBe(2);
        expect(plainLines(r.stderr), command).toEqual([
          expect.stringMatching(
            new RegExp(
              `^${file}:\\d+:\\d+: state\\.dir: ${stateDir} lies in (proc|sysfs), a kernel file system that takes no state files; expected a directory qoswatch can write \\(it is made when missing\\)$`,
            ),
          ),
        ]);
      }
    },
  );

  it('a state dir under a file is a configuration error (exit 2), before anything is read from it', async () => {
    const notADir = join(dir, 'a-file');
    writeFileSync(notADir, 'x');
    const file = config('state-file', { stateDir: join(notADir, 'state') });
    const r = await runCli(['run', '--config', file]);
    expect(r.code).toBe(2);
    expect(plainLines(r.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${file}:\\d+:\\d+: state\\.dir: ${notADir}, on the way to ${join(notADir, 'state')}, is a file, not a directory; expected a directory qoswatch can write \\(it is made when missing\\)$`,
        ),
      ),
    ]);
  });
});

/** Waits for a started daemon to say it runs (its SIGTERM handler is in place by then) and answer /healthz. */
async function servingUrl(p: ReturnType<typeof startCli>): Promise<string> {
  const url = (await printed(p, /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"qoswatch running/))[1]!;
  await waitForOk(`${url}/healthz`);
  return url;
}

/**
 * How long a stop took on the daemon's own clock: from its SIGTERM handler (the "stopping"
 * record) to its last record, written just before it exits. Timed from kill() in this process,
 * a stop also counts the time the signal and the exit wait for a CPU: with the machine loaded
 * (load 11-16) a 1.5 s stop took 2.4 s from kill() to exit, and failed a 2 s bound.
 */
function stopMs(output: string): number {
  const records = output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; time: number });
  const stopping = records.find((r) => r.msg.startsWith('stopping: '));
  if (!stopping) throw new Error(`no "stopping" record in:\n${output}`);
  return records.at(-1)!.time - stopping.time;
}

/** The stop timed from kill() here: the process is gone well within this, however loaded the machine. */
const GONE_WITHIN_MS = 10_000;

describe('SIGTERM', () => {
  it('exits within shutdown_timeout + 1 s when state can no longer be written, saying what was not saved', async () => {
    const stateDir = join(dir, 'state-vanishing');
    // 5 s, not 1 s: this case is the stop that ends by itself, naming what it could not save. With
    // 1 s a loaded machine's slow stop (0.9 s of the 1.5 s at load 18) ends by the grace timer instead.
    const file = config('vanishing', { stateDir, shutdownTimeout: '5s' });
    const p = startCli(['run', '--config', file]);
    const url = await servingUrl(p);
    // The state dir becomes a file: every write to it fails from now on (as root too). It is
    // renamed away, not removed: a removal races the daemon's own writes into it (ENOTEMPTY,
    // seen in CI), a rename is one step.
    renameSync(stateDir, `${stateDir}.gone`);
    writeFileSync(stateDir, 'not a directory');
    const sentAt = Date.now();
    p.child.kill('SIGTERM');
    const code = await p.exited;
    expect(Date.now() - sentAt).toBeLessThan(GONE_WITHIN_MS);
    expect(code).toBe(1);
    expect(stopMs(p.output())).toBeLessThan(5_000 + 1_000);
    expect(p.output()).toContain('not saved: alert state');
    expect(p.output()).toMatch(/"msg":"stopped; not saved: alert state \([^)]*alerts\.json\)"/);
    // The endpoint is closed: nothing is served after the stop.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('exits within shutdown_timeout + 1 s even when a notifier never finishes closing', async () => {
    const module = join(dir, 'stuck-notifier.mjs');
    writeFileSync(
      module,
      `export default { type: 'stuck', description: 'never closes', properties: {}, create: (o, ctx) => ({\n` +
        `  name: ctx.name, type: 'stuck', async send() {}, close: () => new Promise(() => {}) }) };\n`,
    );
    const file = config('stuck', {
      extra: `notifiers:\n  - { name: stuck, type: module, module: ${module} }\n`,
    });
    const p = startCli(['run', '--config', file]);
    await servingUrl(p);
    const sentAt = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(1);
    expect(Date.now() - sentAt).toBeLessThan(GONE_WITHIN_MS);
    expect(stopMs(p.output())).toBeLessThan(1_000 + 1_000); // shutdown_timeout: 1s
    expect(p.output()).toMatch(
      // On a loaded machine the alert state's save may not have ended within the grace either
      // (seen with both suites at once): then it is named first.
      /"msg":"did not stop within shutdown_timeout \+ 0.5s; exiting; not saved: (alert state \([^)]+\); )?the notification outbox and log/,
    );
  });

  it('exits 0 at once when a notifier closed but left a handle open (an SMTP socket that never greets)', async () => {
    // nodemailer cannot abort a send: its socket to a server that never greets outlived the
    // stop, and the process waited for the grace timer and exited 1 (outside tester, stop 29).
    const module = join(dir, 'leaky-notifier.mjs');
    writeFileSync(
      module,
      `export default { type: 'leaky', description: 'leaves a timer', properties: {}, create: (o, ctx) => ({\n` +
        `  name: ctx.name, type: 'leaky', async send() {}, close: async () => { setInterval(() => {}, 1000); } }) };\n`,
    );
    const file = config('leaky', {
      shutdownTimeout: '5s',
      extra: `notifiers:\n  - { name: leaky, type: module, module: ${module} }\n`,
    });
    const p = startCli(['run', '--config', file]);
    await servingUrl(p);
    p.child.kill('SIGTERM');
    expect(await p.exited, p.output()).toBe(0);
    expect(p.output()).toContain('"msg":"stopped"');
    expect(p.output()).not.toContain('did not stop');
  });

  it('a SIGTERM during start-up stops it cleanly once started (exit 0), not by the signal', async () => {
    // Start-up is held in a notifier module's loading until the test says go: the SIGTERM lands
    // while `run` is starting. Before, it met SIGTERM's default action (exit code null: killed,
    // nothing saved; outside tester, stop 34: 3 of 23 stops sent in the first 1.5 s).
    const go = join(dir, 'slow-start-go');
    const module = join(dir, 'slow-start-notifier.mjs');
    writeFileSync(
      module,
      `import { existsSync } from 'node:fs';\nprocess.stderr.write('notifier module loading\\n');\n` +
        `await new Promise((r) => { const t = setInterval(() => { if (existsSync(${JSON.stringify(go)})) { clearInterval(t); r(); } }, 20); });\n` +
        `export default { type: 'slow', description: 'loads slowly', properties: {}, create: (o, ctx) => ({\n` +
        `  name: ctx.name, type: 'slow', async send() {}, close: async () => {} }) };\n`,
    );
    const file = config('slow-start', {
      shutdownTimeout: '30s',
      extra: `notifiers:\n  - { name: slow, type: module, module: ${module} }\n`,
    });
    const p = startCli(['run', '--config', file]);
    for (let i = 0; i < 400 && !p.output().includes('notifier module loading'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(p.output()).toContain('notifier module loading');
    p.child.kill('SIGTERM');
    // The signal is taken and said (the old code was killed by it here), then start-up goes on.
    const said = 'received SIGTERM during start-up: stopping as soon as it has started';
    for (
      let i = 0;
      i < 400 && !p.output().includes(said) && p.child.exitCode === null && p.child.signalCode === null;
      i++
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(p.output()).toContain(said);
    writeFileSync(go, '');
    expect(await p.exited, p.output()).toBe(0);
    expect(p.output()).toContain('"msg":"stopped"');
    expect(p.output()).not.toContain('not saved');
  });

  it("a SIGTERM while Node still loads qoswatch's modules stops it cleanly too (exit 0), not by the signal", async () => {
    // A module loader hook holds the loading of util/redact-url.ts's chunk (found by what it
    // holds: rolldown names a chunk after one of its modules, which changes as modules are
    // added), which main.js read statically before its first statement on the old code, until
    // the test says go: the
    // SIGTERM lands before any of qoswatch's code ran there. On the old code it met SIGTERM's
    // default action (killed: exit code null); now main.ts holds the signals first and imports
    // the rest after, and `run` takes the held one over.
    const go = join(dir, 'held-load-go');
    const hooks = join(dir, 'held-load-hooks.mjs');
    writeFileSync(
      hooks,
      `import { existsSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
` +
        `export async function load(url, context, next) {
` +
        `  if (/\\/chunks\\/[^/]*\\.js$/.test(url) && readFileSync(fileURLToPath(url), 'utf8').includes('function redactUrlCredentials(')) {
` +
        `    writeSync(2, 'holding the load of redactUrlCredentials in ' + url.replace(/.*\\//, '') + '\\n');
` +
        `    await new Promise((r) => { const t = setInterval(() => { if (existsSync(${JSON.stringify(go)})) { clearInterval(t); r(); } }, 20); });
` +
        `  }
  return next(url, context);
}
`,
    );
    const register = join(dir, 'held-load-register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
` +
        `register(pathToFileURL(${JSON.stringify(hooks)}));
`,
    );
    const file = config('held-load', { shutdownTimeout: '30s' });
    const p = startCli(['run', '--config', file], {}, ['--import', register]);
    await printed(p, 'holding the load of redactUrlCredentials in ');
    p.child.kill('SIGTERM');
    writeFileSync(go, '');
    const code = await p.exited;
    expect({ code, signal: p.child.signalCode }, p.output()).toEqual({ code: 0, signal: null });
    // Which handler says so depends on when Node runs the held one. On Node 24 the main thread
    // waits for the hooks thread's load without running its event loop, so the signal may be
    // seen only once `run` took the signals over: then it stops as for any SIGTERM (CI, stop 37).
    expect(p.output()).toMatch(
      /received SIGTERM during start-up: stopping as soon as it has started|"msg":"stopping: finishing in-flight calls"/,
    );
    expect(p.output()).toContain('"msg":"stopped"');
    expect(p.output()).not.toContain('not saved');
  });

  it('exits 0 and saves everything when it can', async () => {
    const stateDir = join(dir, 'state-fine');
    mkdirSync(stateDir, { recursive: true });
    // A stop that saves everything is not a race against the clock: on a loaded machine (load 28)
    // the 1 s the other cases use ran out, and the exit code said "not everything saved".
    const p = startCli(['run', '--config', config('fine', { stateDir, shutdownTimeout: '30s' })]);
    await servingUrl(p);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('"msg":"stopped"');
    expect(p.output()).not.toContain('not saved');
  });

  it('exits 0 with the webhook listener on too, a kept-alive connection open', async () => {
    const stateDir = join(dir, 'state-webhooks');
    const extra = `webhooks:\n  listen: 127.0.0.1:0\n  apps:\n    - { name: qss, path: /zoom/qss, secret_token: t0ken }\n`;
    // 30 s, as for the case above: a clean stop is not a race against a 1 s grace on a loaded
    // machine. A connection that held the stop up would still end in the grace timer's exit 1.
    const p = startCli(['run', '--config', config('webhooks', { stateDir, extra, shutdownTimeout: '30s' })]);
    // The webhook listener says where it listens before the daemon says it runs: wait for both lines.
    await servingUrl(p);
    const hooks = (await printed(p, /"url":"(http:\/\/[^"]+)","msg":"receiving Zoom webhooks/))[1]!;
    // A client that keeps its connection open, as Zoom's sender may.
    const agent = new Agent({ keepAlive: true });
    const answered = await new Promise<number>((resolve, reject) =>
      httpRequest(`${hooks}/zoom/qss`, { method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end('{}'),
    );
    expect(answered).toBeGreaterThanOrEqual(400); // unsigned: refused, but the connection stays
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    agent.destroy();
    expect(p.output()).toContain('"msg":"stopped"');
    expect(p.output()).not.toContain('did not stop');
  });
});
