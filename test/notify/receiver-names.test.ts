import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';

/**
 * A receiver's name is any of letters, digits, `.`, `_` and `-`: "toString" and "constructor"
 * too. notify.json keeps rate caps, outages and notifier memory in objects keyed by it, and
 * every object already has a "toString" and a "constructor" (its prototype's functions): the
 * store took them for the receiver's entry. A rate cap threw at the first flush (no alert of
 * any receiver went out), an outage never began, notifier memory was written onto Object.
 */
let down = false;
let delivered = 0;
const hook = new TestServer((_r, res) => {
  if (!down) delivered++;
  res.writeHead(down ? 429 : 200, { 'retry-after': '1' });
  res.end();
});
beforeAll(async () => hook.listen());
afterAll(async () => hook.close());

describe.each(['toString', 'constructor'])('a receiver named %s', (name) => {
  it('is rate-capped, has its outage, and both survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-receiver-name-'));
    const clock = new VirtualClock(NOW);
    const store = new NotifyStore(dir, undefined, clock.now());
    const notifier = webhookNotifier.create(
      { url: `${hook.url}/hook` },
      { name, clock, log: silentLogger(), memory: store.memory(name) },
    );
    const timing = { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000 };
    const receiver = { notifier, sendResolved: true, timing: {}, rateLimit: { max: 10, perMs: 3_600_000 } };
    const d = testDispatcher({
      route: routeAll(name, timing),
      receivers: new Map([[name, receiver]]),
      clock,
      store,
    });
    down = true; // 429: the receiver is down
    delivered = 0;
    d.ingest(changes(alert({ participant: 'bob' })));
    await d.tick(); // the old code threw here: the cap's window of Object.prototype.toString
    expect(store.outageSince(name)).toBe(NOW);
    expect(new NotifyStore(dir).outageSince(name)).toBe(NOW);
    down = false;
    clock.advance(60_000);
    await d.tick();
    expect(delivered).toBe(1);
    expect(store.outageSince(name)).toBeUndefined();
    expect(new NotifyStore(dir).caps()).toEqual([[name, { sent: [NOW], held: 0, heldAlerts: 0 }]]);
  });
});
