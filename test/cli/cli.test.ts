import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { spawn } from 'node:child_process';
import { CLI, printed, runCli, startCli, waitForOk } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { startRealTimeSim } from '../helpers/sim.js';
import { post, zoomHeaders } from '../helpers/zoom-webhook.js';
import { simProxy } from '../helpers/proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-cli-'));
let sim: ZoomSimulator;

beforeAll(async () => {
  sim = await startRealTimeSim({
    credentials: { account_id: 'acct', client_id: 'cid', client_secret: 'csecret' },
    meetings: [
      {
        id: 84000000001,
        uuid: 'cli==',
        topic: 'CLI meeting',
        participants: [
          { user_id: '1', name: 'Ann' },
          { user_id: '2', name: 'Bo', data_center: 'NY' },
        ],
      },
    ],
  });
});
afterAll(async () => sim.close());

function config(name: string, extra = ''): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `zoom:\n  api_url: ${sim.url}\n  oauth_url: ${sim.url}/oauth/token\n  account_id: acct\n  client_id: cid\n  client_secret: \${SECRET}\n` +
      `sources:\n  webinars: false\nmetrics:\n  listen: 127.0.0.1:0\nstate:\n  dir: ${join(dir, 'state-' + name)}\nlog:\n  format: json\n${extra}`,
  );
  return file;
}

describe('qoswatch', () => {
  it('--help lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['run', 'once', 'check', 'demo', 'simulate'])
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('check accepts a valid config and rejects a broken one with file:line:col', async () => {
    const good = config('good.yaml');
    expect(await runCli(['check', '--config', good], { SECRET: 'csecret' })).toMatchObject({ code: 0 });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\npoll:\n  min_interval: 1 minute\n',
    );
    const r = await runCli(['check', '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${bad}:6:17: poll.min_interval: found "1 minute"; expected a duration such as 90s, 5m or 1h`,
    );
  });

  it('--version prints the package version; a usage mistake exits 2', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect(await runCli(['check', '--no-such-option'])).toMatchObject({ code: 2 });
    expect(await runCli(['check'])).toMatchObject({ code: 2 });
  });

  it('once whose reader has gone (| head) ends quietly with exit 0', async () => {
    const child = spawn(process.execPath, [CLI, 'once', '--config', config('epipe.yaml')], {
      env: { ...process.env, SECRET: 'csecret' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader closes before qoswatch writes its samples
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('notify-test needs only the notifier: no Zoom variables; a refused connection says ECONNREFUSED', async () => {
    const port = await freePort(); // nothing listens there
    const file = join(dir, 'notify-only.yaml');
    writeFileSync(
      file,
      'zoom: { account_id: "${ZOOM_ACCOUNT_ID}", client_id: "${ZOOM_CLIENT_ID}", client_secret: "${ZOOM_CLIENT_SECRET}" }\n' +
        `notifiers:\n  - { name: con, type: console }\n  - { name: hook, type: webhook, url: "http://127.0.0.1:${port}/hook" }\n`,
    );
    const env = { ZOOM_ACCOUNT_ID: '', ZOOM_CLIENT_ID: '', ZOOM_CLIENT_SECRET: '' };
    const ok = await runCli(['notify-test', '--config', file, '--notifier', 'con'], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('con: test notification delivered');
    const refused = await runCli(['notify-test', '--config', file, '--notifier', 'hook'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'hook: not delivered: network error (ECONNREFUSED) (NOTIFY_NETWORK; may work if tried again)',
    );
    // run still needs them (set but empty here, so that the machine's own values cannot leak in).
    const run = await runCli(['check', '--config', file], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'notify-only.yaml:1:21: environment variable ZOOM_ACCOUNT_ID is set but empty',
    );
  });

  it('once prints one JSON sample per line on stdout and logs on stderr', async () => {
    const r = await runCli(['once', '--config', config('once.yaml')], { SECRET: 'csecret' });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines, r.stderr).toHaveLength(2 * 10); // two participants, ten minutes of samples each
    expect(lines[0]).toMatchObject({
      kind: 'meeting',
      instance: { uuid: 'cli==', topic: 'CLI meeting' },
      participant: { key: '1', name: 'Ann' },
    });
    // Values in base units (seconds); the simulator leaves ~2% of values empty, so look at all.
    const latencies = lines
      .flatMap((l) => Object.values(l.streams as Record<string, { latency?: number }>).map((m) => m.latency))
      .filter((v) => v !== undefined);
    expect(latencies.length).toBeGreaterThan(20);
    for (const v of latencies) expect(v).toBeLessThan(1);
    expect(r.stderr).toContain('one cycle done');
  });

  it('once says how many QoS entries it skipped and why, by reason (no user_id, no date_time)', async () => {
    // Outside test (stop 39): once printed the samples and nothing said an entry was skipped.
    // Review (stop 40): it said how many, not which for what: now a count for each reason.
    const proxy = await simProxy(sim.url, {
      rewrite: (text, r) => {
        if (!r.path.includes('/participants/qos')) return text;
        const page = JSON.parse(text) as { participants: Record<string, unknown>[] };
        page.participants = page.participants.map((e) =>
          e.user_id === '2'
            ? { ...e, user_id: undefined }
            : {
                ...e,
                user_qos: (e.user_qos as object[]).map((q, i) => (i ? q : { ...q, date_time: 'soon' })),
              },
        );
        return JSON.stringify(page);
      },
    });
    try {
      const file = config('once-skipped.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').split(sim.url).join(proxy.url));
      const r = await runCli(['once', '--config', file], { SECRET: 'csecret' });
      expect(r.code, r.stderr).toBe(0);
      // Ann's ten minutes but her first (no date_time); Bo's entry skipped (no user_id).
      expect(r.stdout.trim().split('\n')).toHaveLength(9);
      const said = r.stderr.split('\n').filter((l) => l.includes('skipped QoS entries'));
      expect(said).toHaveLength(1);
      const line = JSON.parse(said[0]!) as { skipped: number; reasons: unknown; msg: string };
      expect(line.skipped).toBe(2);
      expect(line.reasons).toEqual({ no_participant_id: 1, no_date_time: 1 });
      expect(line.msg).toContain('1 without a join key (user_id; Video SDK sessions: id)');
      expect(line.msg).toContain('1 with a sample that has no usable date_time, or is no object');
    } finally {
      await proxy.close();
    }
  });

  it('once exits 1 and says why when the credentials are wrong, without printing the secret', async () => {
    const r = await runCli(['once', '--config', config('wrong.yaml')], { SECRET: 'not-the-secret-xyz' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ZOOM_AUTH_FAILED');
    expect(r.stderr + r.stdout).not.toContain('not-the-secret-xyz');
  });

  it('run serves /healthz, polls, and stops cleanly with exit 0 on SIGTERM, keeping its budget count', async () => {
    const file = config('run.yaml');
    const p = startCli(['run', '--config', file], { SECRET: 'csecret' });
    const url = (await printed(p, /"url":"(http:\/\/[^"]+)"/))[1]!;
    await waitForOk(`${url}/healthz`);
    // Ready once it runs, before its first poll cycle ends (docs/metrics.md): wait for that cycle too.
    await waitForOk(`${url}/readyz`);
    await printed(p, '"msg":"cycle: ');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('"msg":"stopped"');
    const budget = JSON.parse(readFileSync(join(dir, 'state-run.yaml', 'budget-zoom.json'), 'utf8')) as {
      used: number;
    };
    expect(budget.used).toBeGreaterThanOrEqual(2);
  });

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

describe('SIGHUP reads the config file again (outside tester, M3)', () => {
  it('a broken file: its problem at file:line:col, the running configuration kept; a change: named as needing a restart', async () => {
    const file = config('hup.yaml', 'route:\n  group_wait: 0s\n');
    const text = readFileSync(file, 'utf8');
    const p = startCli(['run', '--config', file], { SECRET: 'csecret' });
    try {
      await printed(p, 'qoswatch running');
      p.child.kill('SIGHUP');
      await printed(p, `${file} unchanged`);
      writeFileSync(file, `${text}  bogus_setting: 1\n`);
      p.child.kill('SIGHUP');
      await printed(
        p,
        `${file} not applied: the running configuration is kept, and a restart would fail with:`,
      );
      expect(p.output()).toContain(`${file}:17:3: route.bogus_setting: unknown setting`);
      writeFileSync(
        file,
        text.replace('group_wait: 0s', 'group_wait: 7s').replace('webinars: false', 'webinars: true'),
      );
      p.child.kill('SIGHUP');
      await printed(p, `${file} changed, not applied: restart qoswatch to apply`);
      expect(p.output()).toContain(
        'restart qoswatch to apply sources.webinars, route.group_wait (SIGHUP reloads',
      );
      expect(p.output()).toContain('rules reloaded');
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
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

/** A rules folder holding one file with `text`. */
async function rulesDirWith(name: string, text: string): Promise<{ rulesDir: string; ruleFile: string }> {
  const rulesDir = join(dir, name);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(rulesDir, { recursive: true });
  const ruleFile = join(rulesDir, 'r.yaml');
  writeFileSync(ruleFile, text);
  return { rulesDir, ruleFile };
}

const ONE_RULE = 'rules:\n  - name: one\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n';

// Side by side: each waits on its own process (a reload comes after 3 s of quiet files, rule-reload.ts's
// STABLE_MS, real time in a real process), with its own rules folder, config and state dir.
describe.concurrent('rule reload', () => {
  it('SIGHUP reloads the rules, and an invalid set is rejected while the old one keeps running', async ({
    expect,
  }) => {
    const { rulesDir, ruleFile } = await rulesDirWith('rules-reload', ONE_RULE);
    const p = startCli(
      ['run', '--config', config('reload.yaml', `rules:\n  paths: [${rulesDir}]\n  watch: false\n`)],
      { SECRET: 'csecret' },
    );
    await printed(p, 'qoswatch running');
    writeFileSync(ruleFile, ONE_RULE.replace('-70dBm', '5%'));
    p.child.kill('SIGHUP');
    await printed(p, 'rules not reloaded, the previous 1 rule keeps running');
    expect(p.output()).toContain(`${ruleFile}:5:16: rules[0].threshold: wifi_rssi threshold: found \\"5%\\"`);
    writeFileSync(
      ruleFile,
      `${ONE_RULE}  - name: two\n    metric: cpu_zoom_avg\n    when: above\n    threshold: 90%\n`,
    );
    p.child.kill('SIGHUP');
    await printed(p, 'rules reloaded: 2 rules');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('reloads when a rule file changes', async ({ expect }) => {
    const { rulesDir, ruleFile } = await rulesDirWith('rules-watch', ONE_RULE);
    const p = startCli(
      ['run', '--config', config('watch.yaml', `rules:\n  paths: [${rulesDir}]\n  watch: true\n`)],
      { SECRET: 'csecret' },
    );
    await printed(p, 'qoswatch running');
    writeFileSync(
      ruleFile,
      `${ONE_RULE}  - name: two\n    metric: cpu_zoom_avg\n    when: above\n    threshold: 90%\n`,
    );
    await printed(p, 'rules reloaded: 2 rules');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('keeps reloading a rule file named in rules.paths across saves that rename over it, and a delete and re-create', async ({
    expect,
  }) => {
    const { ruleFile } = await rulesDirWith('rules-watch-file', ONE_RULE);
    const p = startCli(
      ['run', '--config', config('watch-file.yaml', `rules:\n  paths: [${ruleFile}]\n  watch: true\n`)],
      { SECRET: 'csecret' },
    );
    await printed(p, 'qoswatch running');
    /** Saves as `sed -i` and most editors do: a new file renamed over the old one. */
    const saveByRename = (text: string): void => {
      writeFileSync(`${ruleFile}.tmp`, text);
      renameSync(`${ruleFile}.tmp`, ruleFile);
    };
    saveByRename(rulesNamed(2));
    await printed(p, 'rules reloaded: 2 rules');
    saveByRename(rulesNamed(3)); // the old code's watch stayed on the first file's inode: never seen
    await printed(p, 'rules reloaded: 3 rules');
    rmSync(ruleFile);
    await printed(p, 'rules not reloaded, the previous 3 rules keep running');
    writeFileSync(ruleFile, rulesNamed(4));
    await printed(p, 'rules reloaded: 4 rules');
    writeFileSync(ruleFile, rulesNamed(5)); // and a write in place to the re-created file
    await printed(p, 'rules reloaded: 5 rules');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('keeps reloading a rule folder named in rules.paths after the folder is replaced, or deleted and re-created', async ({
    expect,
  }) => {
    const { rulesDir, ruleFile } = await rulesDirWith('rules-watch-folder', ONE_RULE);
    const p = startCli(
      ['run', '--config', config('watch-folder.yaml', `rules:\n  paths: [${rulesDir}]\n  watch: true\n`)],
      { SECRET: 'csecret' },
    );
    await printed(p, 'qoswatch running');
    // a deploy: the new folder written aside, the old one moved away, the new one moved in
    mkdirSync(`${rulesDir}.new`);
    writeFileSync(join(`${rulesDir}.new`, 'r.yaml'), rulesNamed(2));
    renameSync(rulesDir, `${rulesDir}.old`);
    renameSync(`${rulesDir}.new`, rulesDir);
    await printed(p, 'rules reloaded: 2 rules');
    writeFileSync(ruleFile, rulesNamed(3)); // the old code's watch stayed on the old folder: never seen
    await printed(p, 'rules reloaded: 3 rules');
    rmSync(rulesDir, { recursive: true });
    mkdirSync(rulesDir);
    writeFileSync(ruleFile, rulesNamed(4));
    await printed(p, 'rules reloaded: 4 rules');
    writeFileSync(ruleFile, rulesNamed(5));
    await printed(p, 'rules reloaded: 5 rules');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

/** A rule file of `n` rules, named r1 to rN. */
function rulesNamed(n: number): string {
  const rule = (i: number): string =>
    `  - name: r${i}\n    metric: wifi_rssi\n    when: below\n    threshold: -${60 + i}dBm\n`;
  return `rules:\n${Array.from({ length: n }, (_, i) => rule(i + 1)).join('')}`;
}
