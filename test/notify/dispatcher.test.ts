import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import type { RawSilence } from '../../src/config/raw.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { hookDispatcher, type HookDispatcherOptions } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';

interface Payload {
  id: string;
  status: string;
  kind: string;
  alerts: { id: string; status: string }[];
  held_back?: { count: number };
}

let server: TestServer;
let clock: VirtualClock;
let down = false;
let stateDir: string;
beforeEach(async () => {
  server = new TestServer((_r, res) => (down ? json(res, 503, {}) : json(res, 200, {})));
  await server.listen();
  clock = new VirtualClock(NOW);
  down = false;
  stateDir = mkdtempSync(join(tmpdir(), 'qw-notify-'));
});
afterEach(async () => server.close());

const received = (): Payload[] => server.received.map((r) => JSON.parse(r.body) as Payload);
const ids = (p: Payload): string[] => p.alerts.map((a) => `${a.status}:${a.id.split('/').pop()!}`);

function dispatcher(opts: HookDispatcherOptions = {}): Dispatcher {
  return hookDispatcher(server.url, clock, stateDir, opts);
}

/** Moves time forward in steps, ticking the dispatcher at each. */
async function advance(d: Dispatcher, ms: number, step = 1000): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await d.tick();
  }
}

describe('grouping', () => {
  it('turns a storm into one message after group_wait, then batches changes per group_interval', async () => {
    const d = dispatcher();
    d.ingest(changes(...['a', 'b', 'c', 'd'].map((p) => alert({ participant: p }))));
    await advance(d, 29_000);
    expect(server.received).toHaveLength(0);
    await advance(d, 1000);
    expect(received().map(ids)).toEqual([['firing:a', 'firing:b', 'firing:c', 'firing:d']]);
    d.ingest(changes(alert({ participant: 'e' }), alert({ participant: 'a', state: 'resolved' })));
    await advance(d, 299_000);
    expect(server.received).toHaveLength(1);
    await advance(d, 1000);
    expect(ids(received()[1]!)).toEqual(['firing:b', 'firing:c', 'firing:d', 'firing:e', 'resolved:a']);
  });

  it('keeps groups apart by the group_by labels', async () => {
    const d = dispatcher();
    d.ingest(changes(alert({ participant: 'a' }), alert({ participant: 'b', rule: 'audio-loss-high' })));
    await advance(d, 30_000);
    expect(received().map((p) => p.alerts.length)).toEqual([1, 1]);
  });

  it('reminds of a group still firing every repeat_interval, and not more often', async () => {
    const d = dispatcher({ route: { repeat_interval: '1h', group_interval: '5m' } });
    d.ingest(changes(alert()));
    await advance(d, 30_000);
    await advance(d, 59 * 60_000, 60_000);
    expect(server.received).toHaveLength(1);
    await advance(d, 6 * 60_000, 60_000);
    expect(server.received).toHaveLength(2);
    expect(ids(received()[1]!)).toEqual(['firing:bob']);
  });

  it('after a restart, holds a due reminder until released (the first reconciled cycle), then sends it once', async () => {
    const route = { repeat_interval: '1h', group_interval: '5m' };
    const d1 = dispatcher({ route });
    d1.ingest(changes(alert()));
    await advance(d1, 30_000);
    expect(server.received).toHaveLength(1);
    clock.advance(3 * 3_600_000); // down for 3 h: the reminder is long due
    const d2 = dispatcher({ route, store: new NotifyStore(stateDir) });
    d2.seed([alert()]);
    d2.holdReminders();
    await advance(d2, 20 * 60_000, 60_000);
    expect(server.received).toHaveLength(1);
    d2.releaseReminders();
    await advance(d2, 5 * 60_000, 60_000);
    expect(server.received).toHaveLength(2);
    expect(ids(received()[1]!)).toEqual(['firing:bob']);
    await advance(d2, 30 * 60_000, 60_000);
    expect(server.received).toHaveLength(2);
  });

  it('holding reminders does not hold changes: a resolve waiting from before the stop goes out', async () => {
    const route = { repeat_interval: '1h', group_interval: '5m', group_by: ['...'] };
    const d1 = dispatcher({ route });
    d1.ingest(changes(alert({ participant: 'a' })));
    await advance(d1, 30_000);
    clock.advance(3 * 3_600_000);
    const d2 = dispatcher({ route, store: new NotifyStore(stateDir) });
    d2.seed([], [alert({ participant: 'a', state: 'resolved', resolvedAt: clock.now() - 60_000 })]);
    d2.holdReminders();
    await advance(d2, 10 * 60_000, 60_000);
    expect(received().map(ids)).toEqual([['firing:a'], ['resolved:a']]);
  });

  it('sends a resolve only when send_resolved; one that fired and resolved inside group_wait goes once, as fired and resolved', async () => {
    const d = dispatcher();
    d.ingest(changes(alert({ participant: 'quick' })));
    d.ingest(changes(alert({ participant: 'quick', state: 'resolved' }))); // inside group_wait: never notified
    await advance(d, 60_000);
    // Stop 41 (hT41): it was never sent at all; an alert that fired is told.
    expect(received().map(ids)).toEqual([['resolved:quick']]);
    expect(received()[0]!.alerts[0]).toMatchObject({ fired_and_resolved: true });
    const quiet = dispatcher({ sendResolved: false });
    quiet.ingest(changes(alert({ participant: 'x' })));
    await advance(quiet, 30_000);
    quiet.ingest(changes(alert({ participant: 'x', state: 'resolved' })));
    await advance(quiet, 10 * 60_000, 10_000);
    expect(received().map(ids).slice(1)).toEqual([['firing:x']]);
  });
});

describe('silences, quiet hours and inhibition', () => {
  it('leaves silenced alerts out while the silence lasts', async () => {
    const d = dispatcher({
      silences: [
        {
          matchers: { participant: 'bob' },
          starts: new Date(NOW).toISOString(),
          ends: new Date(NOW + 10 * 60_000).toISOString(),
          comment: 'maintenance',
        },
      ],
    });
    d.ingest(changes(alert({ participant: 'bob' }), alert({ participant: 'ann' })));
    await advance(d, 30_000);
    expect(received().map(ids)).toEqual([['firing:ann']]);
    await advance(d, 10 * 60_000, 30_000);
    expect(ids(received()[1]!).sort()).toEqual(['firing:ann', 'firing:bob']);
    expect(d.stats.muted).toBeGreaterThan(0);
  });

  it('keeps quiet hours in a time zone, across midnight', async () => {
    // Weekdays 22:00-07:00 in New York. A window belongs to the day it starts on: Monday 22:00
    // to Tuesday 07:00 is a weekday window, so Tuesday 05:30 (09:30 UTC) is quiet.
    const silences: RawSilence[] = [
      {
        matchers: { severity: 'info' },
        recurring: { days: ['weekdays'], start: '22:00', end: '07:00', time_zone: 'America/New_York' },
      },
    ];
    clock.advanceTo(NOW + 86_400_000);
    const d = dispatcher({ silences });
    d.ingest(changes(alert({ participant: 'p', severity: 'info' })));
    await advance(d, 30_000);
    expect(server.received).toHaveLength(0);
    await advance(d, 90 * 60_000, 60_000); // 07:00 passes
    expect(received().map(ids)).toEqual([['firing:p']]);
  });

  it("mutes participant alerts the engine says an incident explains, and a meeting alert's participants by an inhibit rule", async () => {
    const d = dispatcher({
      route: { group_by: ['...'] },
      inhibit: [
        { source_match: { scope: 'instance' }, target_match: { scope: 'participant' }, equal: ['instance'] },
      ],
    });
    const incident: Alert = {
      ...alert({ rule: 'dc-incident', participant: 'NY' }),
      id: 'dc|NY',
      scope: 'shared_cause',
      labels: { alertname: 'dc-incident', scope: 'shared_cause', data_center: 'NY', severity: 'critical' },
    };
    const meeting: Alert = {
      ...alert({ rule: 'meeting-degraded', meeting: 'm9' }),
      id: 'meeting|m9',
      scope: 'instance',
      labels: { alertname: 'meeting-degraded', scope: 'instance', instance: 'm9', severity: 'critical' },
    };
    d.ingest(
      changes(
        incident,
        meeting,
        alert({ participant: 'explained', inhibitedBy: 'dc|NY' }),
        alert({ participant: 'in-m9', meeting: 'm9' }),
        alert({ participant: 'alone' }),
      ),
    );
    await advance(d, 30_000);
    const sent = received().flatMap((p) => p.alerts.map((a) => a.id));
    expect(sent.sort()).toEqual(['audio-latency-high|meeting:85012345678/alone', 'dc|NY', 'meeting|m9']);
  });
});

describe('rate cap', () => {
  it('holds messages over the cap and sends one summary when the window has room', async () => {
    const d = dispatcher({
      route: { group_by: ['participant'], group_wait: '0s' },
      rate: { max: 2, perMs: 3_600_000 },
    });
    d.ingest(changes(...['a', 'b', 'c', 'd', 'e'].map((p) => alert({ participant: p }))));
    await advance(d, 1000);
    expect(server.received).toHaveLength(2);
    expect(d.stats.held.get('hook')).toBe(3);
    await advance(d, 3_600_000, 60_000);
    const summary = received().find((p) => p.kind === 'summary');
    expect(summary?.held_back?.count).toBe(3);
    expect(received().filter((p) => p.kind === 'alert')).toHaveLength(2);
  });
});

describe('delivery that loses nothing', () => {
  it('retries through an outage with backoff and delivers every notification exactly once, in order', async () => {
    const d = dispatcher({ route: { group_wait: '0s', group_interval: '1m' } });
    down = true;
    d.ingest(changes(alert({ participant: 'a' })));
    await advance(d, 1000);
    d.ingest(changes(alert({ participant: 'a', state: 'resolved' })));
    await advance(d, 20 * 60_000, 5000); // twenty minutes of outage
    const attempts = server.received.length;
    expect(attempts).toBeGreaterThan(3);
    expect(attempts).toBeLessThan(40); // backoff, not a hammer
    expect(d.outboxDepth).toBe(2);
    down = false;
    server.received.length = 0;
    await advance(d, 5 * 60_000, 5000);
    expect(received().map((p) => p.status)).toEqual(['firing', 'resolved']);
    expect(new Set(received().map((p) => p.id)).size).toBe(2);
    expect(d.outboxDepth).toBe(0);
  });

  it('keeps the outbox and the notification log across a restart: nothing lost, nothing repeated', async () => {
    down = true;
    const store1 = new NotifyStore(stateDir);
    const d1 = dispatcher({ store: store1, route: { group_wait: '0s' } });
    d1.ingest(changes(alert({ participant: 'a' })));
    await advance(d1, 1000);
    expect(server.received).toHaveLength(1); // failed once
    // "Restart": a new dispatcher over the state file; the engine hands it the alerts still firing.
    down = false;
    server.received.length = 0;
    const d2 = dispatcher({ store: new NotifyStore(stateDir), route: { group_wait: '0s' } });
    d2.seed([alert({ participant: 'a' })]);
    await advance(d2, 10 * 60_000, 10_000);
    expect(received().map(ids)).toEqual([['firing:a']]);
    const d3 = dispatcher({ store: new NotifyStore(stateDir), route: { group_wait: '0s' } });
    d3.seed([alert({ participant: 'a' })]);
    d3.ingest(changes(alert({ participant: 'a', state: 'resolved' })));
    await advance(d3, 10 * 60_000, 10_000);
    expect(received().map(ids)).toEqual([['firing:a'], ['resolved:a']]);
  });

  it('sends the resolve of an alert notified firing and explained afterwards, and never pages it again', async () => {
    const d = dispatcher({ route: { group_by: ['...'], group_wait: '0s', group_interval: '1s' } });
    d.ingest(changes(alert({ participant: 'a' })));
    await advance(d, 2000);
    // An incident explains it now, then resolves first while it still fires; then it recovers.
    d.ingest(changes(alert({ participant: 'a', inhibitedBy: 'dc|NY', explainedBy: 'dc|NY' })));
    await advance(d, 5 * 60_000, 10_000);
    d.ingest(changes(alert({ participant: 'a' })));
    await advance(d, 5 * 60_000, 10_000);
    d.ingest(changes(alert({ participant: 'a', inhibitedBy: 'dc|NY', explainedBy: 'dc|NY' })));
    await advance(d, 60_000, 10_000);
    d.ingest(changes(alert({ participant: 'a', state: 'resolved', inhibitedBy: 'dc|NY' })));
    await advance(d, 60_000, 10_000);
    expect(received().map(ids)).toEqual([['firing:a'], ['resolved:a']]);
  });

  it('sends a resolve rebuilt after a kill with the sample time it recovered at, not the restart time', async () => {
    const ended = (): (string | undefined)[] =>
      server.received.flatMap((r) =>
        (JSON.parse(r.body) as { alerts: { ends_at?: string }[] }).alerts.map((a) => a.ends_at),
      );
    const route = { group_by: ['...'], group_wait: '0s', group_interval: '10m' };
    const d1 = dispatcher({ route });
    d1.ingest(changes(alert({ participant: 'a' }), alert({ participant: 'b' })));
    await advance(d1, 2000);
    // a's resolve waits in its group (group_interval) when the process is killed.
    const recoveredAt = clock.now() + 30_000;
    clock.advance(60_000);
    d1.ingest(changes(alert({ participant: 'a', state: 'resolved', resolvedAt: recoveredAt })));
    clock.advance(5 * 60_000);
    // b's resolve was saved with the alert state, and the kill came before the dispatcher took it.
    const d2 = dispatcher({ store: new NotifyStore(stateDir), route });
    d2.seed([], [alert({ participant: 'b', state: 'resolved', resolvedAt: recoveredAt + 1000 })]);
    await advance(d2, 20 * 60_000, 10_000);
    expect(received().map(ids).flat().sort()).toEqual(['firing:a', 'firing:b', 'resolved:a', 'resolved:b']);
    expect(ended().filter(Boolean).sort()).toEqual([
      new Date(recoveredAt).toISOString(),
      new Date(recoveredAt + 1000).toISOString(),
    ]);
  });

  it('drops a notification the receiver refuses for good, and counts it', async () => {
    server.reply = (_r, res) => json(res, 400, {});
    const d = dispatcher({ route: { group_wait: '0s' } });
    d.ingest(changes(alert()));
    await advance(d, 10 * 60_000, 10_000);
    expect(server.received).toHaveLength(1);
    expect(d.stats.failed.get('hook')?.get('NOTIFY_REJECTED')).toBe(1);
    expect(d.outboxDepth).toBe(0);
  });
});
