import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.js';
import { Daemon } from '../../src/app/daemon.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { silentLogger } from '../../src/util/logger.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';
import { TestSmtp } from '../helpers/smtp.js';

/**
 * Reports after every call, end to end: a meeting of the simulator ends, the daemon makes its
 * report through its own Zoom client, and the report goes out once by e-mail over a real SMTP
 * server (smtp-server) with the report attached, is listed at /api/v1/reports behind basic
 * auth, and is neither lost nor repeated across a restart.
 */
const SCENARIO: RawScenario = {
  shape: 'older',
  meetings: [
    {
      id: 777,
      uuid: 'weekly-1==',
      topic: 'Weekly sync',
      start: '0m',
      end: '20m',
      participants: [
        { user_id: '16778240', name: 'Ann', email: 'ann@example.com', join: '0m' },
        { user_id: '16781312', name: 'Cy', join: '1m', network_type: 'Wifi', device: 'Mac' },
      ],
    },
  ],
  episodes: [{ where: { participant: '16781312' }, from: '5m', to: '15m', audio: { latency: '480ms' } }],
};

const PASSWORD = 'admin-Pa55';
const HASH = bcrypt.hashSync(PASSWORD, 4);
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

let smtp: TestSmtp;
let h: SimHarness;
beforeAll(async () => {
  smtp = new TestSmtp();
  await smtp.listen();
});
afterAll(async () => {
  await smtp.close();
});
afterEach(async () => {
  await h?.close();
});

function withReports(stateDir?: string): (c: Config) => void {
  return (c) => {
    if (stateDir) c.stateDir = stateDir;
    c.notify.notifiers = [
      {
        name: 'mail',
        type: 'email',
        host: '127.0.0.1',
        port: smtp.port,
        security: 'starttls',
        tls_verify: false,
        user: smtp.user,
        password: smtp.password,
        from: 'qoswatch@example.com',
        to: ['noc@example.com'],
      },
    ];
    c.notify.route = { ...c.notify.route, receiver: 'mail' };
    c.reports = {
      send: 'alerts',
      receivers: ['mail'],
      keepMs: 30 * 86_400_000,
      delayMs: 120_000,
      source: 'auto',
      giveUpAfterMs: 3 * 86_400_000,
    };
    c.metrics.basicAuthUsers = { admin: HASH };
  };
}

const reportMails = (): TestSmtp['mail'] =>
  smtp.mail.filter((m) =>
    String(m.parsed.headers.get('x-qoswatch-notification-id') as string | undefined).startsWith('report|'),
  );

async function newDaemon(stateDir: string): Promise<Daemon> {
  const d = new Daemon(daemonFor(h, withReports(stateDir)).daemon.config, {
    clock: h.clock,
    log: silentLogger(),
  });
  await d.startNotifications();
  return d;
}

describe('reports after every call', () => {
  it('a meeting ends: its report goes out once by e-mail with the report attached, and is listed at /api/v1/reports', async () => {
    h = await startSim(SCENARIO, 60_000);
    const { daemon } = daemonFor(h, withReports());
    const stateDir = daemon.config.stateDir;
    await daemon.startNotifications();
    await runUntil(daemon, h, T0 + 90 * 60_000);
    expect(daemon.reports!.stats).toMatchObject({ made: 1, queued: 1, failed: 0, givenUp: 0 });
    // The details, one page each of the summary, the participants and the past QoS.
    expect(daemon.reports!.stats.calls).toBe(4);
    expect(daemon.reports!.pending).toBe(0);

    const mails = reportMails();
    expect(mails).toHaveLength(1);
    const mail = mails[0]!.parsed;
    expect(mail.subject).toMatch(
      /^Weekly sync ended: 1 of 2 participants had poor audio for up to \d+ min; worst: Cy, Wifi, \d+ ms$/,
    );
    expect(mail.text).toContain(mail.subject);
    expect(mail.attachments).toHaveLength(1);
    const file = mail.attachments[0]!;
    const body = file.content.toString('utf8');
    expect(file.filename ?? '').toMatch(/^meeting-[\w-]+\.(html|md)$/);
    expect(body).toContain('Weekly sync');
    expect(body).toContain('Cy');

    // A restart: nothing is sent again, and the report is listed and served behind the same auth.
    const again = await newDaemon(stateDir);
    const url = await again.listen(0);
    const list = (await (
      await fetch(`${url}/api/v1/reports`, { headers: { authorization: AUTH } })
    ).json()) as {
      reports: { id: string; headline: string; alerts: number; url: string; calls: number }[];
    };
    expect(list.reports).toHaveLength(1);
    expect(list.reports[0]!.headline).toBe(mail.subject);
    expect(list.reports[0]!.alerts).toBeGreaterThan(0);
    expect(file.filename).toBe(`${list.reports[0]!.id}.${file.filename?.endsWith('.html') ? 'html' : 'md'}`);
    expect(list.reports[0]!.calls).toBe(4);
    expect((await fetch(`${url}/api/v1/reports`)).status).toBe(401);
    const page = await fetch(`${url}${list.reports[0]!.url}`, { headers: { authorization: AUTH } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toBe(body);
    await runUntil(again, h, T0 + 120 * 60_000);
    expect(reportMails()).toHaveLength(1);
  });
});
