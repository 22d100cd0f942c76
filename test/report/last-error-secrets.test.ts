import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { createLogger } from '../../src/util/logger.js';
import { S2SOAuth } from '../../src/zoom/auth.js';
import { ZoomClient } from '../../src/zoom/client.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { echoingZoom } from '../helpers/echoing-zoom.js';
import { testReportWorker } from '../helpers/report-worker.js';
import { T0 } from '../helpers/sim.js';

/**
 * A failed report's message is kept in pending.json (`lastError`) as the log shows it: before,
 * a Zoom answer that repeated the client secret was written to the state directory whole.
 */
const MIN = 60_000;
const SECRET = 'plainsecretvalue42';
let zoom: Awaited<ReturnType<typeof echoingZoom>>;

// A Zoom that grants a token, then answers every call with a 400 that repeats the secret.
beforeAll(async () => (zoom = await echoingZoom(`refused: client ${SECRET}`)));
afterAll(() => zoom.close());

describe("a failed report's lastError in pending.json", () => {
  it("hides the config's secret values", async () => {
    const clock = new VirtualClock(T0);
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const log = createLogger({ level: 'info', format: 'json' }, { destination: sink, secrets: [SECRET] });
    const auth = new S2SOAuth(
      { oauthUrl: `${zoom.url}/oauth/token`, accountId: 'a', clientId: 'c', clientSecret: SECRET },
      clock,
    );
    const client = new ZoomClient({
      apiUrl: zoom.url,
      auth,
      limits: PLAN_DEFAULTS.business,
      dailyShare: 1,
      clock,
    });
    const worker = testReportWorker(clock, { log, clients: { zoom: client }, random: () => 0 });
    worker.sink.handle({
      type: 'ended',
      instance: { kind: 'meeting', id: '1', uuid: 'w==', topic: 'W' },
      at: T0 - MIN,
    });
    const stop = new AbortController();
    const running = worker.run(stop.signal);
    worker.idle();
    const pending = (): string => readFileSync(join(worker.store.dir, 'pending.json'), 'utf8');
    // At least one: the test clock moves on whenever every loop sleeps, so retries follow.
    await expect.poll(() => worker.stats.failed, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    stop.abort();
    await running;
    // Old code: "lastError":"meetings...: Zoom answered HTTP 400 code 300: refused: client plainsecretvalue42".
    expect(pending()).not.toContain(SECRET);
    expect(pending()).toMatch(/"lastError":"[^"]*refused: client \[redacted\]"/);
  });
});
