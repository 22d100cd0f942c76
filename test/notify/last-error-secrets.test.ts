import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createNotifier } from '../../src/notify/build.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { createLogger } from '../../src/util/logger.js';
import { alert, changes, NOW } from '../helpers/alerts.js';
import { receiversOf, routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';

/**
 * A failed send's message is kept in the state file (notify.json, `lastError`) as the log shows
 * it: before, a notifier module's error that repeated its secret option was written there whole.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-last-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'plainsecretvalue42';

describe("a failed send's lastError in the state file", () => {
  it("hides the config's secret values and the patterns", async () => {
    // A module of one's own that fails saying its token in its own words, and a URL's password.
    writeFileSync(
      join(dir, 'echo-notifier.mjs'),
      `export default { type: 'echo', properties: { token: { type: 'string' } }, create(options, ctx) {
  return { name: ctx.name, type: 'echo', async send() {
    throw new Error('the relay refused ' + options.token + ' at http://bob:hunter2pw@relay.example/x');
  } };
} };\n`,
    );
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `notifiers:\n  - { name: mine, type: module, module: ./echo-notifier.mjs, options: { token: ${SECRET} } }\n`,
    );
    const config = loadConfig(file, {}, { notifiersOnly: true });
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const log = createLogger(
      { level: 'info', format: 'json' },
      { destination: sink, secrets: config.source.secretValues() },
    );
    const clock = new VirtualClock(NOW);
    const store = new NotifyStore(dir);
    const { notifier } = await createNotifier(config.notify.notifiers[0]!, { clock, log, store });
    const d = testDispatcher({
      route: routeAll('mine', { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 3_600_000 }),
      receivers: receiversOf({ mine: notifier }),
      clock,
      store,
      log,
    });
    d.ingest(changes(alert()));
    await d.tick();
    await d.close();
    const saved = readFileSync(join(dir, 'notify.json'), 'utf8');
    // Old code: "lastError":"mine: the relay refused plainsecretvalue42 at http://bob:hunter2pw@relay.example/x".
    expect(saved).not.toContain(SECRET);
    expect(saved).not.toContain('hunter2pw');
    expect(saved).toContain(
      '"lastError":"mine: the relay refused [redacted] at http://[redacted]@relay.example/x"',
    );
  });
});
