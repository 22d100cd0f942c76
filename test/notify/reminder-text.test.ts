import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { hookDispatcher } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';
import { MIN, sample, T } from '../helpers/rules.js';

const RULES = loadRules([fromRoot('rules', 'default.yaml')]).filter((r) => r.name === 'audio-latency-high');

let server: TestServer;
beforeEach(async () => {
  server = new TestServer((_r, res) => json(res, 200, {}));
  await server.listen();
});
afterEach(async () => server.close());

const summaries = (): string[] =>
  server.received.map(
    (r) =>
      (JSON.parse(r.body) as { alerts: { annotations: { summary: string } }[] }).alerts[0]!.annotations
        .summary,
  );

describe('reminder text', () => {
  // A firing change's alert carries no reminder text (an alert storm would render and hold one
  // per alert): the dispatcher renders the reminder from the alert as it reads when it is due.
  it('is rendered when a reminder is due, from the alert as it reads then', async () => {
    const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
    const clock = new VirtualClock(T);
    const d = hookDispatcher(server.url, clock, mkdtempSync(join(tmpdir(), 'qw-remind-')), {
      route: { repeat_interval: '1h', group_interval: '5m' },
      current: (id) => engine.current(id),
    });
    const fired = [];
    for (let m = 0; m <= 70; m++) {
      const changes = engine.handle({
        type: 'samples',
        samples: [sample('bob', m, { audio_input: { latency: 0.45 } })],
      });
      fired.push(...changes.filter((c) => c.state === 'firing'));
      d.ingest(changes);
      clock.advance(MIN);
      await d.tick();
    }
    expect(fired).toHaveLength(1);
    expect(fired[0]!.alert.repeatAnnotations).toBeUndefined();
    const [first, reminder] = summaries();
    expect(first).toMatch(/^BOB's audio latency is 450 ms/);
    expect(reminder).toMatch(/^BOB's audio latency is still 450 ms .* for 1 h/);
    expect(summaries()).toHaveLength(2);
  });
});
