import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { loadScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { fromRoot } from '../../src/util/package-root.js';
import { NAME_MAX, shorten } from '../../src/report/values.js';
import { runCli } from '../helpers/cli.js';
import { T0 } from '../helpers/sim.js';

/**
 * The examples of docs/inspect.md, run: the built `qoswatch inspect` with docs/report/config.yaml
 * against the simulator serving docs/inspect/standup.yaml at minute 15, and against a real
 * daemon's /api/v1/instances (--daemon). The tables it prints are the docs' files;
 * QW_WRITE_DOC_EXAMPLES=1 rewrites them instead of comparing.
 */
const CONFIG = fromRoot('docs', 'report', 'config.yaml');
const DOC = (name: string): string => fromRoot('docs', 'inspect', name);
const dir = mkdtempSync(join(tmpdir(), 'qw-inspect-cli-'));
const AT = T0 + 15 * 60_000;
let sim: ZoomSimulator;
let env: Record<string, string>;

beforeAll(async () => {
  sim = new ZoomSimulator(loadScenario(DOC('standup.yaml'), T0), new VirtualClock(AT));
  env = { ZOOM_API_URL: await sim.listen(), QOSWATCH_STATE_DIR: join(dir, 'state') };
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const used = (): number =>
  (JSON.parse(readFileSync(join(dir, 'state', 'budget-zoom.json'), 'utf8')) as { used: number }).used;

function matchesDoc(stdout: string, file: string): void {
  if (process.env.QW_WRITE_DOC_EXAMPLES) writeFileSync(DOC(file), stdout);
  expect(stdout).toBe(readFileSync(DOC(file), 'utf8'));
}

interface Json {
  instance: { uuid: string; participants: number };
  calls: number;
  participants: {
    key: string;
    name: string;
    rows: { t: string; values: Record<string, number>; over: string[] }[];
    alerts: { rule: string; forMet: boolean; since: string }[];
  }[];
}

/**
 * A real daemon over the simulator serving docs/inspect/standup.yaml (or `scenario`), run to minute
 * 15 (it starts at minute 8, before either episode, so it sees both begin), its API listening: `use`
 * gets its URL.
 */
async function withDaemon(
  state: string,
  basicAuthUsers: Record<string, string> | undefined,
  use: (url: string, daemonSim: ZoomSimulator) => Promise<void>,
  scenario = DOC('standup.yaml'),
): Promise<void> {
  const clock = new VirtualClock(T0 + 8 * 60_000);
  const daemonSim = new ZoomSimulator(loadScenario(scenario, T0), clock);
  const config = demoConfig(await daemonSim.listen(), join(dir, state), 0);
  config.zoom!.dailyShare = 1;
  if (basicAuthUsers) config.metrics.basicAuthUsers = basicAuthUsers;
  const daemon = new Daemon(config, { clock, log: silentLogger() });
  try {
    const stop = new AbortController();
    await daemon.run(stop.signal, () => {
      if (clock.now() >= AT) stop.abort();
    });
    await use(await daemon.listen(0), daemonSim);
  } finally {
    await daemon.close();
    await daemonSim.close();
  }
}

describe('qoswatch inspect (the built CLI, as docs/inspect.md shows it)', () => {
  it('docs/inspect.md includes its example files verbatim', () => {
    const doc = readFileSync(fromRoot('docs', 'inspect.md'), 'utf8');
    const included = [...doc.matchAll(/<!-- file: (docs\/inspect\/[\w.-]+) -->\n\n```\w+\n([\s\S]*?)```\n/g)];
    expect(included.map((m) => m[1])).toEqual([
      'docs/inspect/standup.yaml',
      'docs/inspect/standup.txt',
      'docs/inspect/cy.txt',
      'docs/inspect/daemon.txt',
      'docs/inspect/daemon-cy.json',
    ]);
    for (const m of included) expect(m[2], m[1]).toBe(readFileSync(fromRoot(m[1]!), 'utf8'));
  });

  it('prints the instance, worst first, with the breaching values marked and the rules that see them', async () => {
    const before = 0;
    const run = await runCli(['inspect', '--config', CONFIG, '555'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    matchesDoc(run.stdout, 'standup.txt');
    // The details, one page of the QoS list, one of the participants list.
    expect(used() - before).toBe(3);
    const lines = run.stdout.split('\n');
    const cy = lines.find((l) => l.startsWith('Cy [16781312]'))!;
    expect(cy).toMatch(/ \d{3} ms\* /);
    expect(cy).toMatch(/1 firing +audio-latency-high$/);
    expect(lines.find((l) => l.startsWith('Ann [16778240]'))).not.toContain('*');
    expect(run.stdout).toMatch(
      /Dev: zoom-cpu-pegged \(warning\) > 80%: 9\d%, since \S+ UTC; firing, for 2m met/,
    );
  });

  it('one participant by name: the single-participant QoS, one row a sample; by UUID encoded twice, and as JSON', async () => {
    const before = used();
    const run = await runCli(['inspect', '--config', CONFIG, '555', 'cy'], env);
    expect(run.code).toBe(0);
    matchesDoc(run.stdout, 'cy.txt');
    // details; the QoS by "cy" (404); the participants list; the QoS by Cy's id.
    expect(used() - before).toBe(4);
    expect(run.stdout.match(/^ {2}\d\d:\d\d:\d\d .*audio-latency-high$/gm)).toHaveLength(5);

    const json = await runCli(
      ['inspect', '--config', CONFIG, '--format', 'json', '/standup//today==', '16781312'],
      env,
    );
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout) as Json;
    expect(view.calls).toBe(2);
    expect(view.instance.uuid).toBe('/standup//today==');
    expect(view.participants).toHaveLength(1);
    const p = view.participants[0]!;
    expect(p).toMatchObject({ key: '16781312', name: 'Cy' });
    expect(p.rows.map((r) => Date.parse(r.t))).toEqual([11, 12, 13, 14, 15].map((m) => T0 + m * 60_000));
    for (const r of p.rows) expect(r.values.latency).toBeGreaterThan(0.3);
    expect(p.alerts).toEqual([
      expect.objectContaining({
        rule: 'audio-latency-high',
        forMet: true,
        since: new Date(T0 + 11 * 60_000).toISOString(),
      }),
    ]);
  });

  it('says what is wrong: no such participant, an instance not live, a bad option or URL', async () => {
    const nobody = await runCli(['inspect', '--config', CONFIG, '555', 'Zed'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(
      /no participant "Zed" is in this meeting now \(run 'qoswatch inspect' without a participant/,
    );
    const ended = await runCli(['inspect', '--config', CONFIG, '999'], env);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(
      /no live meeting "999": Zoom says it is not going on now \(for one that has ended: qoswatch report\)/,
    );
    const usage = await runCli(['inspect', '--config', CONFIG, '--format', 'csv', '555'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--format is table or json/);
    const badUrl = await runCli(['inspect', '--daemon', 'ftp://x', '555']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--daemon takes an http:\/\/ or https:\/\/ URL/);
  });

  it("--daemon: reads a running daemon's /api/v1/instances instead of Zoom (no API call), behind its basic auth", async () => {
    await withDaemon('daemon-state', { admin: bcrypt.hashSync('s3cret-pw', 4) }, async (url, daemonSim) => {
      const auth = { QOSWATCH_API_USER: 'admin', QOSWATCH_API_PASSWORD: 's3cret-pw' };
      const served = [sim.apiRequests(), daemonSim.apiRequests()];
      const list = await runCli(['inspect', '--daemon', url], auth);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(
        /^kind +id +uuid +topic +path +participants +last sample \(UTC\) +alerts\n/,
      );
      expect(list.stdout).toMatch(
        /meeting +555 +\/standup\/\/today== +Support standup +poll +3 +2026-11-20T10:1\d:00Z +2\n/,
      );

      const cy = await runCli(['inspect', '--daemon', url, '555', 'Cy'], auth);
      expect(cy.stderr).toBe('');
      expect(cy.code).toBe(0);
      matchesDoc(cy.stdout, 'daemon.txt');
      expect(cy.stdout).toMatch(
        /audio-latency-high \(warning\) > 300 ms: \d+ ms on audio_\w+, since 10:10:00 UTC; firing, for 2m met/,
      );

      const cyJson = await runCli(['inspect', '--daemon', url, '--format', 'json', '555', '16781312'], auth);
      expect(cyJson.code).toBe(0);
      matchesDoc(
        cyJson.stdout.replace(/"generatedAt": "[^"]+"/, '"generatedAt": "2026-11-20T10:15:00.000Z"'),
        'daemon-cy.json',
      );

      const unauthorized = await runCli(['inspect', '--daemon', url, '555']);
      expect(unauthorized.code).toBe(1);
      expect(unauthorized.stderr).toMatch(
        /wants basic auth: set QOSWATCH_API_USER and QOSWATCH_API_PASSWORD/,
      );
      // Both set, the password wrong: refused, not "set them".
      const wrong = await runCli(['inspect', '--daemon', url, '555'], {
        ...auth,
        QOSWATCH_API_PASSWORD: 'nope',
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/refused the credentials of QOSWATCH_API_USER "admin"/);
      expect(wrong.stderr).not.toMatch(/set QOSWATCH_API_USER/);
      const unknown = await runCli(['inspect', '--daemon', url, '556'], auth);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/answered 404: no live instance with that id or UUID is watched now/);
      // None of it asked Zoom.
      expect([sim.apiRequests(), daemonSim.apiRequests()]).toEqual(served);
    });
  });
  it('--daemon without basic auth: a name cannot match (names withheld), and the error says so with the ids', async () => {
    await withDaemon('daemon-open', undefined, async (url) => {
      const byName = await runCli(['inspect', '--daemon', url, '555', 'Cy']);
      expect(byName.code).toBe(1);
      // Before: 'no participant "Cy" has a sample in this instance', as if Cy were not there.
      expect(byName.stderr).toMatch(
        /the daemon shows no participant names or e-mails \(it withholds them when its API has no basic auth and metrics\.participant_identity_labels is off\), so "Cy" cannot be matched by name: give a participant id instead \(3 have a sample: [^)]*16781312/,
      );
      const byId = await runCli(['inspect', '--daemon', url, '555', '16781312']);
      expect(byId.stderr).toBe('');
      expect(byId.code).toBe(0);
      expect(byId.stdout).not.toContain('Cy');
      // What is no participant's id may be a name: the same answer, not "no participant".
      const nobody = await runCli(['inspect', '--daemon', url, '555', '999']);
      expect(nobody.stderr).toMatch(/the daemon shows no participant names/);
    });
  });
  it('--daemon on an instance with no sample yet says so, not "give one of their ids: )"', async () => {
    // standup.yaml's meeting 555 with its three joining at minute 50: live, no sample by minute 15.
    const scenario = join(dir, 'nobody-yet.yaml');
    writeFileSync(
      scenario,
      readFileSync(DOC('standup.yaml'), 'utf8')
        .replace(/join: \dm/g, 'join: 50m')
        .replace(/^episodes:[^]*$/m, ''),
    );
    await withDaemon(
      'daemon-nobody',
      undefined,
      async (url) => {
        const list = await runCli(['inspect', '--daemon', url]);
        expect(list.stdout).toMatch(/meeting +555 +\/standup\/\/today== +Support standup +poll +0 /);
        const cy = await runCli(['inspect', '--daemon', url, '555', 'Cy']);
        expect(cy.code).toBe(1);
        // Before e34de9e: 'no participant "Cy" has a sample in this instance (0 have; give one of their ids: )'.
        expect(cy.stderr).toContain(
          'no participant has a sample in this instance yet, so "Cy" cannot be found: try again after its next poll',
        );
        expect(cy.stderr).not.toContain('give one of their ids');
      },
      scenario,
    );
  });

  it('--daemon lists a 600-character topic shortened as local inspect shows it, one line', async () => {
    const topic = `Standup ${'x'.repeat(592)}`;
    const scenario = join(dir, 'long-topic.yaml');
    writeFileSync(
      scenario,
      readFileSync(DOC('standup.yaml'), 'utf8').replace('topic: Support standup', `topic: ${topic}`),
    );
    await withDaemon(
      'daemon-long-topic',
      undefined,
      async (url) => {
        const list = await runCli(['inspect', '--daemon', url]);
        expect(list.code).toBe(0);
        // Before: the whole 600 characters in the topic column, every line of the table that wide.
        expect(list.stdout).not.toContain(topic);
        expect(list.stdout).toContain(` ${shorten(topic)} `);
        expect(shorten(topic)).toHaveLength(NAME_MAX);
        for (const line of list.stdout.trimEnd().split('\n')) expect(line.length).toBeLessThan(300);
      },
      scenario,
    );
  });
});
