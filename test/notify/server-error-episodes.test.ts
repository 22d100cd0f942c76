import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { hookDispatcher } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';

/**
 * The warning of a server error (5xx) to be retried says that the notifier's other
 * notifications go on, and each episode gets it: it is muted only until the notifier delivers
 * again (outside tester, stop 31, L5: it said nothing of the others, and a second episode
 * within the mute was not logged). A real webhook receiver that answers 503 while `down`.
 */
let server: TestServer;
let down = false;
beforeEach(async () => {
  down = false;
  server = new TestServer((_r, res) => (down ? json(res, 503, {}) : json(res, 200, {})));
  await server.listen();
});
afterEach(async () => server.close());

describe('a notifier answering 5xx', () => {
  it('warns once an episode (again after 15 min), saying the others go on; a second episode minutes later is logged too', async () => {
    const clock = new VirtualClock(NOW);
    const { log, lines } = captureLog();
    const d = hookDispatcher(server.url, clock, mkdtempSync(join(tmpdir(), 'qw-5xx-')), {
      groupBy: ['participant'],
      log,
    });
    const warnings = (): string[] => lines.filter((l) => l.level === 40).map((l) => l.msg);

    down = true;
    d.ingest(changes(alert({ participant: 'p1' })));
    clock.advance(30_000);
    await d.tick();
    clock.advance(1_000);
    await d.tick(); // the same episode: not logged again
    clock.advance(15 * 60_000);
    await d.tick(); // 15 minutes into it: logged again
    down = false;
    clock.advance(60_000); // the longest backoff
    await d.tick(); // delivered: the episode is over
    expect(d.outboxDepth).toBe(0);

    down = true;
    clock.advance(60_000);
    d.ingest(changes(alert({ participant: 'p2' })));
    clock.advance(30_000);
    await d.tick();
    const line =
      'hook: delivery failed, will retry; its other notifications go on meanwhile: hook: server error (HTTP 503)';
    expect(warnings()).toEqual([line, line, line]); // old code: two, without "its other notifications"
    expect(server.received).toHaveLength(5);
    await d.close();
  });
});
