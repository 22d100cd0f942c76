import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertFlow } from '../../src/app/alert-flow.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { EvaluatedUpTo } from '../../src/evaluate/evaluated.js';
import { AlertStateStore, restoredState } from '../../src/evaluate/state-store.js';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { NotifyError } from '../../src/notify/plugins/errors.js';
import type { Notifier } from '../../src/notify/plugins/notifier.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { compileRoute } from '../../src/notify/route.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { silentLogger } from '../../src/util/logger.js';
import { testDispatcher } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';
import { MIN, rulesFrom, sample, T } from '../helpers/rules.js';

/**
 * The state files' bytes, as a release writes them: an older or newer qoswatch reads what this
 * one wrote, so a change of field, order or format must be seen and meant. The engine and the
 * notification pipeline (AlertFlow, as the daemon wires them) run a fixed scenario on a virtual
 * clock; the two files they save are compared byte for byte with test/fixtures/state/.
 *
 * A change meant to change the files (a new field...): regenerate them with
 *   QW_UPDATE_STATE_GOLDEN=1 npx vitest run test/app/state-file-bytes.test.ts
 * and commit them with the change (git diff shows what changed).
 */
const GOLDEN = fromRoot('test', 'fixtures', 'state');
const UPDATE = process.env.QW_UPDATE_STATE_GOLDEN === '1';
const REGENERATE =
  'the state file is not what test/fixtures/state/ holds; if the change is meant, regenerate it with ' +
  'QW_UPDATE_STATE_GOLDEN=1 npx vitest run test/app/state-file-bytes.test.ts and commit it';

const rules = rulesFrom([
  {
    name: 'meeting-loss',
    scope: 'instance',
    severity: 'critical',
    metric: 'avg_loss',
    when: 'above',
    threshold: '5%',
    streams: ['any_audio'],
    breaching: { ratio: '50%' },
    min_participants: 2,
    for: '0',
  },
  { name: 'lat', metric: 'latency', when: 'above', threshold: '300ms', streams: ['any_audio'], for: '2m' },
]);
/** Participant `p`'s audio at minute `m`: its latency (s) and loss (0 to 1). */
const audio = (p: string, m: number, latency: number, loss: number) =>
  sample(p, m, { audio_input: { latency, avgLoss: loss } });

/** A receiver that is down, always with the same words (its outbox entry waits to be retried). */
const down: Notifier = {
  name: 'pager',
  type: 'pager',
  send: () => Promise.reject(new NotifyError('NOTIFY_NETWORK', 'pager: connection refused', true)),
};

const dirs: string[] = [];
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'qw-state-bytes-'));
  dirs.push(d);
  return d;
};

/** The daemon's parts over `dir`: engine, what it evaluated, its alert store, and the dispatcher. */
async function daemonParts(dir: string, clock: VirtualClock): Promise<{ flow: AlertFlow; d: Dispatcher }> {
  const server = new TestServer((_req, res) => json(res, 200, {}));
  servers.push(server);
  await server.listen();
  const store = new NotifyStore(dir);
  const ctx = { name: 'ops', clock, log: silentLogger(), memory: store.memory('ops') };
  const timing = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 };
  const d = testDispatcher({
    route: compileRoute(
      routeSettings({
        receiver: 'ops',
        group_by: ['alertname', 'instance'],
        routes: [{ match: { severity: 'critical' }, receiver: 'pager', continue: true }],
      }),
      { receiver: 'ops', groupBy: ['alertname'], timing },
    ),
    receivers: new Map([
      [
        'ops',
        {
          notifier: webhookNotifier.create({ url: `${server.url}/hook` }, ctx),
          sendResolved: true,
          timing: {},
        },
      ],
      ['pager', { notifier: down, sendResolved: true, timing: {} }],
    ]),
    clock,
    store,
  });
  const flow = new AlertFlow(
    new RuleEngine(rules, { gapToleranceMs: 5 * MIN }),
    new EvaluatedUpTo(),
    new AlertStateStore(dir),
  );
  flow.dispatchTo(d);
  return { flow, d };
}

/**
 * Eight minutes of a meeting: ann's latency goes high and fires after 2 minutes, then recovers;
 * ann and bob both lose audio at minute 3 (the meeting's loss alert fires; the pager is down),
 * bob keeps losing it, and his latency goes high at minute 6 (pending at the end). Each minute is evaluated, committed (alert state saved, changes handed on)
 * and the dispatcher ticked through the minute, a second at a time, as the daemon does.
 */
async function runScenario(dir: string): Promise<void> {
  const clock = new VirtualClock(T + MIN);
  const { flow, d } = await daemonParts(dir, clock);
  const ann = [0.1, 0.4, 0.4, 0.4, 0.4, 0.1, 0.1, 0.1];
  const bob = [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.5, 0.5];
  for (let m = 0; m < ann.length; m++) {
    flow.evaluate.handle({
      type: 'samples',
      samples: [
        audio('ann', m, ann[m]!, m >= 3 && m < 5 ? 0.09 : 0),
        audio('bob', m, bob[m]!, m >= 3 ? 0.12 : 0),
      ],
    });
    flow.commit();
    for (let s = 0; s < 60; s++) {
      clock.advance(1000);
      await d.tick();
    }
  }
  flow.commit(true);
}

/** The golden file's text. */
const golden = (name: string): string => readFileSync(join(GOLDEN, name), 'utf8');

describe('the state files, byte for byte', () => {
  it('are what test/fixtures/state/ holds after a fixed scenario', async () => {
    const dir = tempDir();
    await runScenario(dir);
    for (const name of ['alerts.json', 'notify.json']) {
      const actual = readFileSync(join(dir, name), 'utf8');
      if (UPDATE) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(join(GOLDEN, name), actual);
      }
      const expected = golden(name);
      // Parsed first, for a readable difference; then the bytes (order of fields, format).
      expect(JSON.parse(actual), `${name}: ${REGENERATE}`).toEqual(JSON.parse(expected));
      expect(actual, `${name}: ${REGENERATE}`).toBe(expected);
    }
    // The scenario reaches what the files can hold: series, members, an outbox entry, a log.
    const alerts = JSON.parse(golden('alerts.json')) as Record<string, unknown[]>;
    const notify = JSON.parse(golden('notify.json')) as { outbox: unknown[]; log: object };
    expect(alerts.series!.length).toBeGreaterThan(0);
    expect(alerts.members!.length).toBeGreaterThan(0);
    expect(notify.outbox).toHaveLength(1);
    expect(Object.keys(notify.log).length).toBeGreaterThan(1);
  });

  it('are written again the same when loaded and saved (a restart changes no byte)', () => {
    const dir = tempDir();
    for (const name of ['alerts.json', 'notify.json']) writeFileSync(join(dir, name), golden(name));
    const alertStore = new AlertStateStore(dir);
    const saved = alertStore.load();
    const evaluated = new EvaluatedUpTo(saved.evaluated);
    alertStore.save(restoredState(saved.series, saved.members), evaluated.entries(), saved.resolved);
    new NotifyStore(dir).save();
    for (const name of ['alerts.json', 'notify.json'])
      expect(readFileSync(join(dir, name), 'utf8'), `${name} after a load and a save`).toBe(golden(name));
  });
});
