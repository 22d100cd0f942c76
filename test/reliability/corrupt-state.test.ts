import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConfig } from '../../src/cli/demo-config.js';
import { Daemon } from '../../src/app/daemon.js';
import { createLogger } from '../../src/util/logger.js';
import { alert } from '../helpers/alerts.js';
import { runUntil } from '../helpers/daemon.js';
import { json, TestServer } from '../helpers/http-server.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import { webhookTo } from '../helpers/notifiers.js';

/**
 * Every state file, corrupted every way a crash, a full disk or a hand edit can: the daemon
 * starts, logs one line naming the file and what it discarded, keeps a `.corrupt-<time>`
 * copy, keeps what is valid, and neither floods the log nor spins.
 */

const series = {
  id: 'audio-latency-high|meeting:mtg-uuid-1==/kept',
  rule: 'audio-latency-high',
  state: 'firing',
  lastTime: 1,
  value: 0.5,
  pendingSince: 1,
  firingSince: 1,
  instance: 'meeting:mtg-uuid-1==',
  participantKey: 'kept',
  context: { kind: 'meeting', participant: 'Kept', participantKey: 'kept' },
};
const outboxItem = (id: string): object => ({
  notification: {
    id,
    receiver: 'hook',
    groupKey: 'hook|{}',
    groupLabels: {},
    kind: 'alert',
    firing: [alert({ participant: 'kept' })],
    resolved: [],
    createdAt: 1,
  },
  attempts: 0,
  nextAttemptAt: 1,
});
const garbage = [
  '',
  '{',
  '{"version":1,"series":[',
  'null',
  '[]',
  '"text"',
  '42',
  'true',
  '\u0000\u0001\u00ff binary garbage',
  '{"version":2}',
  '{"version":"1"}',
  'NaN',
];
const truncated = (v: object): string => JSON.stringify(v).slice(0, Math.floor(JSON.stringify(v).length / 2));

interface Variant {
  name: string;
  text: string;
  /** What must survive: checked after start. */
  kept?: 'series' | 'outbox';
}
const v = (name: string, data: unknown, kept?: Variant['kept']): Variant => ({
  name,
  text: typeof data === 'string' ? data : JSON.stringify(data),
  ...(kept ? { kept } : {}),
});

const ALERTS: Variant[] = [
  ...garbage.map((g, i) => v(`garbage ${i}`, g)),
  v('truncated', truncated({ version: 1, series: [series, series] })),
  v('series [null]', { version: 1, series: [null, series] }, 'series'),
  v('series [1,2,3]', { version: 1, series: [1, 2, 3, series] }, 'series'),
  v('series not a list', { version: 1, series: 'x' }),
  v('empty entry', { version: 1, series: [{}, series] }, 'series'),
  v('id a number', { version: 1, series: [{ ...series, id: 1 }, series] }, 'series'),
  v(
    'string lastTime',
    { version: 1, series: [{ ...series, id: 'x', lastTime: '2026-12-01T00:00:00Z' }, series] },
    'series',
  ),
  v(
    'huge number',
    `{"version":1,"series":[${JSON.stringify(series).replace('"lastTime":1', '"lastTime":1e400')}]}`,
  ),
  v('negative time', { version: 1, series: [{ ...series, firingSince: -5 }] }),
  v('unknown state', { version: 1, series: [{ ...series, state: 'exploded' }] }),
  v('context null', { version: 1, series: [{ ...series, context: null }] }),
  v('evaluated a list', { version: 1, series: [series], evaluated: [1] }, 'series'),
  v('evaluated string time', { version: 1, series: [series], evaluated: { a: '2026-12-01' } }, 'series'),
];

const NOTIFY_BASE = { version: 1, log: {}, groups: {}, notifiers: {}, caps: {} };
const notify = (over: Record<string, unknown>): object => ({ ...NOTIFY_BASE, outbox: [], ...over });
const NOTIFY: Variant[] = [
  ...garbage.map((g, i) => v(`garbage ${i}`, g)),
  v('truncated', truncated(notify({ outbox: [outboxItem('a'), outboxItem('b')] }))),
  v('outbox [1,2,3]', notify({ outbox: [1, 2, 3, outboxItem('kept')] }), 'outbox'),
  v('outbox [null]', notify({ outbox: [null, outboxItem('kept')] }), 'outbox'),
  v('outbox not a list', notify({ outbox: { a: 1 } })),
  v(
    'string nextAttemptAt',
    notify({ outbox: [{ ...outboxItem('x'), nextAttemptAt: '2026-12-01T10:00:00Z' }, outboxItem('kept')] }),
    'outbox',
  ),
  v(
    'huge nextAttemptAt',
    notify({ outbox: [{ ...outboxItem('x'), nextAttemptAt: 1e300 }, outboxItem('kept')] }),
    'outbox',
  ),
  v(
    'infinite attempts',
    `{"version":1,"outbox":[${JSON.stringify(outboxItem('x')).replace('"attempts":0', '"attempts":1e400')}]}`,
  ),
  v('notification null', notify({ outbox: [{ ...outboxItem('x'), notification: null }] })),
  v(
    'firing [null]',
    notify({
      outbox: [
        {
          notification: { ...(outboxItem('x') as { notification: object }).notification, firing: [null] },
          attempts: 0,
          nextAttemptAt: 1,
        },
      ],
    }),
  ),
  v('log entry null', notify({ log: { k: null } })),
  v('log firing a string', notify({ log: { k: { firing: 'x', at: 1 } } })),
  v('group a number', notify({ groups: { k: 1 } })),
  v(
    'group alerts null',
    notify({
      groups: {
        k: {
          key: 'k',
          receiver: 'hook',
          labels: {},
          timing: { groupWaitMs: 0, groupIntervalMs: 1, repeatIntervalMs: 1 },
          alerts: null,
        },
      },
    }),
  ),
  v('notifier memory a number', notify({ notifiers: { hook: 5 } })),
  v('cap sent a string', notify({ caps: { hook: { sent: 'y', held: 0, heldAlerts: 0 } } })),
];

const BUDGET: Variant[] = [
  ...garbage.map((g, i) => v(`garbage ${i}`, g)),
  v('truncated', truncated({ day: 20000, used: 123 })),
  v('empty object', {}),
  v('day a string', { day: 'today', used: 1 }),
  v('negative used', { day: 20000, used: -1 }),
  v('huge used', '{"day":20000,"used":1e400}'),
  v('fractional day', { day: 1.5, used: 1 }),
  v('used null', { day: 20000, used: null }),
  v('a list', [20000, 1]),
];

let h: SimHarness;
const receiver = new TestServer((_r, res) => json(res, 200, {}));
beforeAll(async () => {
  h = await startSim({ meetings: [meetingWith(2)] });
  await receiver.listen();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

async function startWith(
  file: string,
  text: string,
): Promise<{ daemon: Daemon; lines: string[]; dir: string; restored: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'qw-corrupt-'));
  writeFileSync(join(dir, file), text);
  const config = demoConfig(h.url, dir, 0);
  config.zoom!.dailyShare = 1;
  config.videosdk = undefined;
  config.sources.sessions = false;
  config.notify.notifiers = [webhookTo(`${receiver.url}/hook`)];
  config.notify.route = routeSettings({ receiver: 'hook', group_by: ['alertname'], group_wait: '0s' });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ level: 'info', format: 'json' }, { destination });
  const daemon = new Daemon(config, { clock: h.clock, log });
  const restored = daemon.parts.engine.active().map((a) => a.id);
  await daemon.startNotifications();
  await runUntil(daemon, h, h.clock.now());
  // A few more delivery rounds: a bad time must not make the dispatcher spin or flood the log.
  for (let i = 0; i < 5; i++) {
    h.clock.advance(1000);
    await daemon.parts.dispatcher!.tick();
  }
  return { daemon, lines, dir, restored };
}

const corpus: [string, Variant[]][] = [
  ['alerts.json', ALERTS],
  ['notify.json', NOTIFY],
  ['budget-zoom.json', BUDGET],
];

describe.each(corpus)('a corrupt %s', (file, variants) => {
  it(`(${variants.length} variants) is set aside with one log line naming it; the daemon starts with what is valid`, async () => {
    expect(variants.length).toBeGreaterThanOrEqual(20);
    for (const variant of variants) {
      const { daemon, lines, dir, restored } = await startWith(file, variant.text);
      const what = `${file} ${variant.name}`;
      const naming = lines.filter((l) => l.includes(join(dir, file)));
      expect(naming, what).toHaveLength(1);
      expect(JSON.parse(naming[0]!), what).toMatchObject({ level: 50 });
      expect(naming[0], what).toMatch(/is corrupt: .*(discarded|starting)/);
      const copies = readdirSync(dir).filter((f) => f.startsWith(`${file}.corrupt-`));
      expect(copies, what).toHaveLength(1);
      expect(readFileSync(join(dir, copies[0]!), 'utf8'), what).toBe(variant.text);
      expect(daemon.parts.scheduler.cycles, what).toBeGreaterThanOrEqual(1);
      expect(
        lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50).length,
        `${what}: errors logged`,
      ).toBe(1);
      const due = daemon.parts.dispatcher!.nextDueAt();
      expect(due === undefined || Number.isFinite(due), what).toBe(true);
      if (variant.kept === 'series') expect(restored, what).toContain(series.id);
      if (variant.kept === 'outbox')
        expect(
          receiver.received.some((r) => r.headers['x-qoswatch-notification-id'] === 'kept'),
          `${what}: the valid notification is delivered`,
        ).toBe(true);
      // The file written back is whole again.
      if (existsSync(join(dir, file)) && file !== 'budget-zoom.json')
        expect(() => JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown, what).not.toThrow();
      await daemon.close();
    }
  }, 120_000);
});
