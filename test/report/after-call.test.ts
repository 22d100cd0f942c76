import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.js';
import { Daemon } from '../../src/app/daemon.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { silentLogger } from '../../src/util/logger.js';
import { daemonFor, holdClockInCycles, runUntil } from '../helpers/daemon.js';
import { freePort } from '../helpers/ports.js';
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

function withReports(stateDir?: string, smtpPort = smtp.port): (c: Config) => void {
  return (c) => {
    if (stateDir) c.stateDir = stateDir;
    c.notify.notifiers = [
      {
        name: 'mail',
        type: 'email',
        sendResolved: true,
        timing: {},
        settings: {
          host: '127.0.0.1',
          port: smtpPort,
          security: 'starttls',
          tls_verify: false,
          user: smtp.user,
          password: smtp.password,
          from: 'qoswatch@example.com',
          to: ['noc@example.com'],
        },
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
  smtp.mail.filter((m) => /qoswatch serves (it|the report) at \/reports\//.test(m.parsed.text ?? ''));

/**
 * Each daemon holds the virtual clock during its poll cycles (holdClockInCycles): the report
 * worker's and the dispatcher's loops sleep on the clock beside the poller, and without the hold
 * each of them moved time a minute at every turn of the event loop while a cycle waited on the
 * simulator, so cycles lasted virtual quarter-hours and ran back to back.
 */
async function newDaemon(stateDir: string, smtpPort = smtp.port): Promise<Daemon> {
  const d = new Daemon(daemonFor(h, withReports(stateDir, smtpPort)).daemon.parts.config, {
    clock: h.clock,
    log: silentLogger(),
  });
  holdClockInCycles(d, h);
  await d.startNotifications();
  return d;
}

describe('reports after every call', () => {
  it('a meeting ends: its report goes out once by e-mail with the report attached, and is listed at /api/v1/reports', async () => {
    h = await startSim(SCENARIO, 60_000);
    const { daemon } = daemonFor(h, withReports());
    holdClockInCycles(daemon, h);
    const stateDir = daemon.parts.config.stateDir;
    await daemon.startNotifications();
    await runUntil(daemon, h, T0 + 90 * 60_000);
    expect(daemon.parts.reports!.stats).toMatchObject({ made: 1, queued: 1, failed: 0, givenUp: 0 });
    // The details, one page each of the summary, the participants and the past QoS.
    expect(daemon.parts.reports!.stats.calls).toBe(4);
    expect(daemon.parts.reports!.pending).toBe(0);
    // /api/v1/status counts them: made, handed to the outbox, delivered, still to make, kept.
    expect(daemon.status().reports).toEqual({
      made: 1,
      queued: 1,
      sent: 1,
      pending: 0,
      deferred: 0,
      failed: 0,
      given_up: 0,
      calls: 4,
      kept: 1,
    });

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
    expect(file.filename ?? '').toMatch(/^meeting-[\w-]+\.html$/);
    expect(file.contentType).toBe('text/html');
    expect(body).toMatch(/^<!doctype html>/i);
    expect(body).toContain('<svg');
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
    expect(file.filename).toBe(`${list.reports[0]!.id}.html`);
    expect(list.reports[0]!.calls).toBe(4);
    const status = (await (
      await fetch(`${url}/api/v1/status`, { headers: { authorization: AUTH } })
    ).json()) as { reports: Record<string, number> };
    // The counts are this process's; the report made before the restart is kept.
    expect(status.reports).toMatchObject({ made: 0, sent: 0, pending: 0, kept: 1 });
    expect((await fetch(`${url}/api/v1/reports`)).status).toBe(401);
    const page = await fetch(`${url}${list.reports[0]!.url}`, { headers: { authorization: AUTH } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe(body);
    const json = (await (
      await fetch(`${url}/api/v1${list.reports[0]!.url}`, { headers: { authorization: AUTH } })
    ).json()) as { instance: { uuid: string } };
    expect(json.instance.uuid).toBe('weekly-1==');
    // Hostile ids: none reaches a file outside the reports, none fails the server.
    const id = list.reports[0]!.id;
    const hostile = [
      '..%2Fnotify',
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e%2fnotify.json',
      `${id}%2F..%2F..%2Fnotify`,
      `${id}.json`,
      `${id}%00`,
      `${id}%2500`,
      'pending',
      `meeting-${'A'.repeat(5000)}`,
      'meeting-%C0%AE%C0%AE',
      `${id}/`,
      `${id}?x=1#`,
      'meeting-',
      '%ff%fe',
      '__proto__',
    ];
    for (const bad of hostile)
      for (const prefix of ['/reports/', '/api/v1/reports/']) {
        const r = await fetch(`${url}${prefix}${bad}`, { headers: { authorization: AUTH } });
        const text = await r.text();
        if (bad.startsWith(`${id}?`)) expect(r.status, bad).toBe(200);
        else expect(r.status, `${prefix}${bad}`).toBe(404);
        expect(text).not.toContain('"outbox"');
      }
    expect((await fetch(`${url}/reports/${id}`)).status).toBe(401);
    await runUntil(again, h, T0 + 120 * 60_000);
    expect(reportMails()).toHaveLength(1);
  });

  it('is sent once, neither lost nor repeated, when the daemon restarts at random instants and the SMTP server is down at first', async () => {
    h = await startSim(SCENARIO, 60_000);
    const stateDir = mkdtempSync(join(tmpdir(), 'qw-reports-'));
    const before = reportMails().length;
    const dead = await freePort();
    let seed = 14;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let made = 0;
    let calls = 0;
    let restarts = 0;
    // Stops at random instants from before the end to well after the report is made; the
    // mail server answers only from the sixth run on.
    while (h.clock.now() < T0 + 80 * 60_000) {
      const d = await newDaemon(stateDir, restarts < 5 ? dead : smtp.port);
      await runUntil(d, h, h.clock.now() + Math.ceil(random() * 8) * 60_000);
      made += d.parts.reports!.stats.made;
      calls += d.parts.reports!.stats.calls;
      restarts++;
    }
    const last = await newDaemon(stateDir);
    await runUntil(last, h, h.clock.now() + 20 * 60_000);
    made += last.parts.reports!.stats.made;
    expect(restarts).toBeGreaterThan(5);
    expect(made).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(last.parts.reports!.pending).toBe(0);
    expect(last.parts.dispatcher!.outboxDepth).toBe(0);
    expect(reportMails().length - before).toBe(1);
  });

  it('with a tight budget, leaves live polling its pace: the report waits and spends nothing', async () => {
    h = await startSim(
      {
        ...SCENARIO,
        meetings: [
          ...SCENARIO.meetings!,
          { ...SCENARIO.meetings![0]!, id: 778, uuid: 'long-1==', topic: 'All day', end: '600m' },
        ],
      },
      60_000,
    );
    // 14 hours to the reset at one cycle a minute: discovery of two sources (meetings and
    // webinars, both reserved since the planner counts every source of the account, ef21e8f)
    // and a poll of the long meeting take about 3 x 840 calls; the pool leaves polling its pace
    // once the first meeting has ended, with a few calls to spare: fewer than the report needs
    // (2,560 already pays for the report).
    const { daemon } = daemonFor(h, (c) => {
      withReports()(c);
      c.zoom!.limits = { ...c.zoom!.limits, dailyPool: 2530 };
      c.reports!.reserve = 0;
    });
    // A cycle takes no virtual time however long the machine takes to answer it: without the
    // hold, the notification loop's idle minute moved the clock at every turn of the event loop
    // while a cycle waited on the simulator, so a loaded machine saw cycles 4-15 virtual minutes
    // long, fewer than 10 of them from minute 24 to 80, and far fewer calls than this pool is
    // sized for (76 by minute 80 instead of about 260).
    holdClockInCycles(daemon, h);
    await daemon.startNotifications();
    // The pace of polling once the first meeting has ended and its report is due.
    const intervals: number[] = [];
    const stop = new AbortController();
    await daemon.run(stop.signal, (r) => {
      if (r.startedAt >= T0 + 24 * 60_000) intervals.push(r.intervalMs);
      if (h.clock.now() >= T0 + 80 * 60_000) stop.abort();
    });
    const client = daemon.parts.clients.zoom!;
    expect(intervals.length).toBeGreaterThan(10);
    expect(Math.max(...intervals)).toBe(daemon.parts.config.poll.minIntervalMs);
    expect(daemon.parts.reports!.stats.made).toBe(0);
    expect(daemon.parts.reports!.stats.calls).toBe(0);
    expect(daemon.parts.reports!.stats.deferred).toBeGreaterThan(0);
    expect(daemon.parts.reports!.pending).toBe(1);
    // Every call of the day was live polling's (the same budget counts both).
    expect(client.budget.usedToday()).toBe(client.stats.total());
  });
});
