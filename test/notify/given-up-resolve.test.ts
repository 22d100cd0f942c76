import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { failedByKey } from '../../src/notify/pipeline/stats.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { hookDispatcher, type HookDispatcherOptions } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';

/**
 * A firing notification given up after give_up_after never told its receiver that the alert
 * fires, so that receiver gets no resolve for it (outside tester, stop 31, L6: it did). A real
 * webhook receiver that answers 503 while `down`; give_up_after 24 h on the virtual clock.
 */
let server: TestServer;
let clock: VirtualClock;
let down = false;
let stateDir: string;
beforeEach(async () => {
  server = new TestServer((_r, res) => (down ? json(res, 503, {}) : json(res, 200, {})));
  await server.listen();
  clock = new VirtualClock(NOW);
  down = false;
  stateDir = mkdtempSync(join(tmpdir(), 'qw-given-up-'));
});
afterEach(async () => server.close());

const DAY = 24 * 3_600_000;
const GROUP_INTERVAL = 300_000;

/** Each message the receiver took (a 200), as `status: participant,...`. */
const delivered = (): string[] =>
  server.received
    .filter((_r, i) => answered[i])
    .map((r) => {
      const p = JSON.parse(r.body) as { status: string; alerts: { labels: { participant: string } }[] };
      return `${p.status}: ${p.alerts.map((a) => a.labels.participant).join(',')}`;
    });
/** Whether the receiver answered each request with a 200 (by request index). */
const answered: boolean[] = [];

/** hook, group_wait 30 s, group_interval 5 min; no reminder within the test (repeat_interval 30 d). */
function dispatcher(opts: HookDispatcherOptions = {}): Dispatcher {
  return hookDispatcher(server.url, clock, stateDir, { route: { repeat_interval: '30d' }, ...opts });
}

async function tick(d: Dispatcher): Promise<void> {
  const before = server.received.length;
  await d.tick();
  for (let i = before; i < server.received.length; i++) answered[i] = !down;
}

beforeEach(() => void (answered.length = 0));

describe('a firing notification given up', () => {
  it('is not followed by a resolve, after a restart too; the drop is counted as before', async () => {
    down = true;
    const d1 = dispatcher({ groupBy: ['participant'] });
    d1.ingest(changes(alert({ participant: 'p1' })));
    clock.advance(30_000);
    await tick(d1);
    expect(server.received).toHaveLength(1); // 503: to be retried

    // A restart over the same state dir: what the notification announced is in notify.json.
    const d2 = dispatcher({ groupBy: ['participant'] });
    d2.seed([alert({ participant: 'p1' })]);
    clock.advance(DAY);
    await tick(d2); // older than give_up_after: dropped
    expect(d2.outboxDepth).toBe(0);
    expect(failedByKey(d2.stats)).toEqual({ 'hook|expired': 1 });

    down = false;
    d2.ingest(changes(alert({ participant: 'p1', state: 'resolved' })));
    clock.advance(GROUP_INTERVAL);
    await tick(d2);
    expect(delivered()).toEqual([]); // old code: ['resolved: p1']
    await d2.close();
  });

  it("is told by the group's next reminder if it still fires (not sooner), and then its resolve goes", async () => {
    down = true;
    const d = dispatcher({ groupBy: ['participant'], route: { repeat_interval: '25h' } });
    d.ingest(changes(alert({ participant: 'p1' })));
    clock.advance(30_000);
    await tick(d);
    clock.advance(DAY);
    await tick(d); // given up
    down = false;
    clock.advance(GROUP_INTERVAL);
    await tick(d);
    expect(delivered()).toEqual([]); // a flush with nothing changed sends nothing
    clock.advance(3_600_000);
    await tick(d); // the reminder, 25 h after the firing
    expect(delivered()).toEqual(['firing: p1']);
    d.ingest(changes(alert({ participant: 'p1', state: 'resolved' })));
    clock.advance(GROUP_INTERVAL);
    await tick(d);
    expect(delivered()).toEqual(['firing: p1', 'resolved: p1']);
    await d.close();
  });

  it('in a group: the resolve carries only the alerts that were told firing', async () => {
    const d = dispatcher(); // one group (alertname)
    d.ingest(changes(alert({ participant: 'p2' })));
    clock.advance(30_000);
    await tick(d);
    expect(delivered()).toEqual(['firing: p2']);

    down = true;
    d.ingest(changes(alert({ participant: 'p1' })));
    clock.advance(GROUP_INTERVAL);
    await tick(d); // [p1, p2]: p1 announced, p2 told before
    clock.advance(DAY);
    await tick(d);
    expect(d.outboxDepth).toBe(0);

    down = false;
    d.ingest(
      changes(
        alert({ participant: 'p1', state: 'resolved' }),
        alert({ participant: 'p2', state: 'resolved' }),
      ),
    );
    clock.advance(GROUP_INTERVAL);
    await tick(d);
    expect(delivered()).toEqual(['firing: p2', 'resolved: p2']); // old code: 'resolved: p2,p1'
    await d.close();
  });

  it('takes out a resolve already queued behind it (restart between), and a later reminder announces it instead', async () => {
    down = true;
    const remindAfter23h: HookDispatcherOptions = {
      groupBy: ['participant'],
      route: { repeat_interval: '23h' },
    };
    const d1 = dispatcher(remindAfter23h);
    d1.ingest(changes(alert({ participant: 'p1' }), alert({ participant: 'p3' })));
    clock.advance(30_000);
    await tick(d1); // p1's and p3's firing: 503
    d1.ingest(changes(alert({ participant: 'p1', state: 'resolved' })));
    clock.advance(GROUP_INTERVAL);
    await tick(d1); // p1's resolve queued behind its firing, which fails again
    expect(d1.outboxDepth).toBe(3);

    const d2 = dispatcher(remindAfter23h);
    d2.seed([alert({ participant: 'p3' })]);
    // p3's reminder is due (23 h) and queued; the firings are given up (24 h), p1's resolve is not yet.
    clock.advance(DAY - GROUP_INTERVAL + 1_000);
    await tick(d2);
    expect(failedByKey(d2.stats)).toMatchObject({ 'hook|expired': 2 });
    expect(d2.outboxDepth).toBe(1); // p3's reminder, retried; p1's resolve taken out

    down = false;
    clock.advance(GROUP_INTERVAL);
    await tick(d2);
    expect(delivered()).toEqual(['firing: p3']); // old code: the resolve of p1 too
    d2.ingest(changes(alert({ participant: 'p3', state: 'resolved' })));
    clock.advance(GROUP_INTERVAL);
    await tick(d2);
    expect(delivered()).toEqual(['firing: p3', 'resolved: p3']); // the reminder told it: its resolve goes
    await d2.close();
  });
});
