import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioFrom } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { systemClock } from '../../src/util/clock.js';
import { startCli } from '../helpers/cli.js';
import { json, TestServer } from '../helpers/http-server.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-outage-'));
let sim: ZoomSimulator;
const receiver = new TestServer();
let up = false;
const delivered: string[] = [];

beforeAll(async () => {
  // Real time: this test runs the real daemon as a process and kills it.
  const now = Date.now();
  sim = new ZoomSimulator(
    scenarioFrom(
      {
        start: new Date(now - 10 * 60_000).toISOString(),
        meetings: [
          {
            id: 86000000001,
            uuid: 'outage==',
            topic: 'Outage drill',
            participants: [
              { key: 'bob', user_id: '1', name: 'Bob' },
              { user_id: '2', name: 'Ann' },
            ],
          },
        ],
        episodes: [{ where: { participant: 'bob' }, from: '0m', to: '2h', any: { latency: '600ms' } }],
      },
      now,
    ),
    systemClock,
  );
  await sim.listen();
  receiver.reply = (r, res) => {
    if (!up) return json(res, 503, {});
    delivered.push(String(r.headers['x-qoswatch-notification-id']));
    json(res, 200, {});
  };
  await receiver.listen();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

/** The outbox as a start would read it: notify.json, less the journal of deliveries beside it. */
const outbox = (): number => {
  try {
    readFileSync(join(dir, 'state', 'notify.json'));
    return new NotifyStore(join(dir, 'state')).outbox().length;
  } catch {
    return -1;
  }
};

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(ok(), what).toBe(true);
}

function writeConfig(name: string, url: string): string {
  const config = join(dir, name);
  writeFileSync(
    config,
    `zoom:\n  api_url: ${sim.url}\n  oauth_url: ${sim.url}/oauth/token\n  account_id: a\n  client_id: c\n  client_secret: s\n` +
      `sources: { webinars: false }\nmetrics: { listen: '127.0.0.1:0' }\nstate: { dir: ${join(dir, `state-${name}`)} }\nlog: { format: json }\n` +
      `notifiers:\n  - { name: hook, type: webhook, url: '${url}' }\n` +
      `route: { receiver: hook, group_by: [alertname], group_wait: 0s }\n`,
  );
  return config;
}

describe('qoswatch run --dry-run', () => {
  it('evaluates and routes, and prints what it would send instead of sending', async () => {
    const before = receiver.received.length;
    const p = startCli(['run', '--dry-run', '--config', writeConfig('dry.yaml', `${receiver.url}/hook`)]);
    await until('the dry run printed a notification', () =>
      p.output().includes('── hook (dry run): [FIRING:1] audio-latency-high in "Outage drill"'),
    );
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.output()).toMatch(
      /FIRING \[warning\] Bob's audio latency is \d+ ms in "Outage drill" \(above 300 ms for \d+ min(, worst \d+ ms)?\)/,
    );
    expect(receiver.received.length).toBe(before);
  });
});

describe('qoswatch notify-test', () => {
  it('sends a test message through one notifier, and says plainly when it cannot', async () => {
    const { runCli } = await import('../helpers/cli.js');
    up = true;
    const ok = await runCli([
      'notify-test',
      '--config',
      writeConfig('nt.yaml', `${receiver.url}/hook`),
      '--notifier',
      'hook',
    ]);
    expect(ok.stdout).toContain('hook: test notification delivered');
    expect(ok.code).toBe(0);
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({ kind: 'test' });
    delivered.length = 0;
    up = false;
    const bad = await runCli([
      'notify-test',
      '--config',
      writeConfig('nt-bad.yaml', 'http://127.0.0.1:2/hook'),
      '--notifier',
      'hook',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('hook: not delivered');
    expect(bad.stderr).toContain('NOTIFY_NETWORK; may work if tried again');
  });
});

describe('a daemon killed with SIGKILL while notifications are pending', () => {
  it('delivers them after restart, exactly once', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `zoom:\n  api_url: ${sim.url}\n  oauth_url: ${sim.url}/oauth/token\n  account_id: a\n  client_id: c\n  client_secret: s\n` +
        `sources: { webinars: false }\nmetrics: { listen: '127.0.0.1:0' }\nstate: { dir: ${join(dir, 'state')} }\nlog: { format: json }\n` +
        `notifiers:\n  - { name: hook, type: webhook, url: '${receiver.url}/hook' }\n` +
        `route: { receiver: hook, group_by: [alertname], group_wait: 0s }\ndelivery: { retry_initial: 100ms, retry_max: 200ms }\n`,
    );
    const first = startCli(['run', '--config', config]);
    await until(
      'the first daemon tried to deliver and failed',
      () => receiver.received.length >= 2 && outbox() >= 1,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    expect(delivered).toEqual([]);
    const pending = outbox();

    up = true;
    const second = startCli(['run', '--config', config]);
    await until(
      'the restarted daemon emptied its outbox',
      () => delivered.length >= pending && outbox() === 0,
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(delivered).toHaveLength(pending);
    expect(new Set(delivered).size).toBe(delivered.length);
    const body = JSON.parse(receiver.received.at(-1)!.body) as {
      alerts: { rule: string; context: { participant: string } }[];
    };
    expect(body.alerts.map((a) => `${a.rule}/${a.context.participant}`)).toEqual(['audio-latency-high/Bob']);
  });
});
