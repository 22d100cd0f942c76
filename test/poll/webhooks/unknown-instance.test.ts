import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerWebhookMetrics } from '../../../src/export/collectors/webhooks.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { fromRoot } from '../../../src/util/package-root.js';
import { startWebhooks, webhookSettings, type Started } from '../../helpers/webhooks-service.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';

/**
 * Issue 15 D4: a signed push for a meeting UUID that discovery never lists (here: no poll
 * source at all) is on the push path while pushes come; once they stop for takeover_after it is
 * dropped from the status API and `qoswatch_instance_qos_path`, and not counted as taken back by
 * polling (polling has nothing for it).
 */
const SECRET = 'unknown-uuid-secret';
const MIN = 60_000;
const settings = webhookSettings(SECRET); // takeover_after: 3 minutes
const body = readFileSync(
  fromRoot('test', 'fixtures', 'zoom-webhooks', 'meeting.participant_qos.json'),
  'utf8',
);
const T = Date.parse('2021-07-13T21:45:00Z');

let s: Started;
let clock: VirtualClock;
let registry: Registry;

beforeAll(async () => {
  clock = new VirtualClock(T);
  s = await startWebhooks(mkdtempSync(join(tmpdir(), 'qw-unknown-')), clock, settings);
  registry = new Registry();
  registerWebhookMetrics(registry, {
    counts: () => s.w,
    samplesAfterEnd: () => s.scheduler.pushes.lifecycle.samplesAfterEnd,
    paths: s.scheduler.pushes.paths,
    tracked: () => s.scheduler.instances().map((i) => i.ref),
    now: () => clock.now(),
  });
});
afterAll(async () => {
  await s.w.close();
});

interface Status {
  on_push: number;
  takeovers: number;
  instances: { instance: string; path: string }[];
}
const status = (): Status => s.w.status(clock.now());
const pathSeries = async (): Promise<string[]> =>
  (await registry.metrics()).split('\n').filter((l) => l.startsWith('qoswatch_instance_qos_path{'));

describe('a pushed UUID that discovery never lists (issue 15 D4)', () => {
  it('is on the push path while pushes come', async () => {
    const a = await post(s.url, body, zoomHeaders(SECRET, body, clock.now()));
    expect(a.status).toBe(200);
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect(status().instances).toEqual([
      expect.objectContaining({ instance: 'meeting:4444AAAiAAAAAiAiAiiAii==', path: 'push' }),
    ]);
    expect(await pathSeries()).toContain(
      'qoswatch_instance_qos_path{kind="meeting",instance_id="4444AAAiAAAAAiAiAiiAii==",instance_uuid="4444AAAiAAAAAiAiAiiAii==",path="push"} 1',
    );
  });

  it('is still there at takeover_after, and gone after it, with no takeover counted', async () => {
    clock.advance(3 * MIN);
    expect(status().on_push).toBe(1);
    clock.advance(1);
    expect(await pathSeries()).toEqual([]);
    expect(status()).toMatchObject({ on_push: 0, takeovers: 0, instances: [] });
    // A poll cycle (nothing to poll) neither brings it back nor counts it.
    await s.scheduler.cycle(new AbortController().signal);
    expect(s.scheduler.pushes.paths.takeovers).toBe(0);
    expect(s.scheduler.pushes.paths.instances()).toEqual([]);
    expect((await registry.metrics()).match(/^qoswatch_poll_takeovers_total 0$/m)).not.toBeNull();
  });

  it('comes back on the push path if its pushes start again', async () => {
    const again = body.replace('"event_ts": 1626230691572', '"event_ts": 1626230691573');
    expect(again).not.toBe(body);
    expect((await post(s.url, again, zoomHeaders(SECRET, again, clock.now()))).status).toBe(200);
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect(status()).toMatchObject({ on_push: 1, takeovers: 0 });
  });
});

describe('each request body is parsed once', () => {
  it('hands the body the receiver parsed to the push source, which does not parse it again', async () => {
    const third = body.replace('"event_ts": 1626230691572', '"event_ts": 1626230691574');
    const handled = s.w.source.stats.handled.get('qos') ?? 0;
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect((await post(s.url, third, zoomHeaders(SECRET, third, clock.now()))).status).toBe(200);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      expect(s.w.source.stats.handled.get('qos')).toBe(handled + 1);
      expect(parse.mock.calls.filter(([text]) => text === third)).toHaveLength(1);
    } finally {
      parse.mockRestore();
    }
  });
});
