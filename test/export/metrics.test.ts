import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { debianBinary } from '../helpers/binaries.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { startDefaultScenario, T0, type SimHarness } from '../helpers/sim.js';

const promtool = debianBinary('promtool', 'prometheus');
let h: SimHarness;

beforeAll(async () => {
  h = await startDefaultScenario();
});
afterAll(async () => h.close());

/** The events the last daemon made handed on. */
let events: PipelineEvent[] = [];

async function daemonAt(minutes: number, tweak: (c: Config) => void = () => undefined): Promise<Daemon> {
  let daemon: Daemon;
  ({ daemon, events } = daemonFor(h, (c) => {
    c.metrics.topicLabel = false;
    tweak(c);
  }));
  await runUntil(daemon, h, h.clock.now() + minutes * 60_000);
  return daemon;
}

/** Every name, e-mail and IP the scenario gives its participants. */
function identities(): string[] {
  return h.sim.scenario.instances
    .flatMap((i) => i.participants.flatMap((p) => [p.name, p.email, p.ipAddress]))
    .filter((v) => v.length > 3);
}

describe('metrics', () => {
  let text = '';
  let daemon: Daemon;
  beforeAll(async () => {
    daemon = await daemonAt(16);
    text = await daemon.parts.metrics.text();
  });

  it.runIf(promtool)('pass promtool check metrics with no errors and no lint warnings', () => {
    const r = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('carry no participant names, e-mails or IPs, and no topics, by default', () => {
    for (const id of identities()) expect(text, id).not.toContain(id);
    for (const i of h.sim.scenario.instances) expect(text).not.toContain(i.topic);
    expect(text).not.toMatch(/participant="/);
  });

  it('aggregate per instance and stream: average, maximum and p95 across participants', () => {
    const live = [...daemon.parts.live.instances.values()].find((i) => i.ref.id === '87011223344')!;
    // Each live participant's newest sample, as the daemon handed it on.
    const newest = new Map<string, QosSample>();
    for (const e of events)
      if (e.type === 'samples')
        for (const s of e.samples)
          if (s.instance.id === '87011223344' && s.time >= (newest.get(s.participant.key)?.time ?? -Infinity))
            newest.set(s.participant.key, s);
    const values = [...live.participants.keys()]
      .map((k) => newest.get(k)!.streams.audio_output?.latency)
      .filter((v): v is number => v !== undefined)
      .sort((a, b) => a - b);
    const line = (agg: string): number =>
      Number(
        new RegExp(
          `qoswatch_stream_latency_seconds\\{kind="meeting",instance_id="87011223344",instance_uuid="[^"]+",stream="audio_output",direction="received",aggregation="${agg}"\\} (\\S+)`,
        ).exec(text)![1],
      );
    expect(line('max')).toBeCloseTo(values.at(-1)!, 9);
    expect(line('avg')).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    expect(line('p95')).toBeCloseTo(values[Math.ceil(0.95 * values.length) - 1]!, 9);
    expect(text).toMatch(
      new RegExp(
        `qoswatch_instance_participants\\{kind="meeting",instance_id="87011223344",instance_uuid="[^"]+"\\} ${live.participants.size}\\n`,
      ),
    );
  });

  it("count the daemon's own health: Zoom calls, budget, cycle, coverage, samples, alerts, rules", () => {
    for (const name of [
      'qoswatch_zoom_requests_total{account="zoom",endpoint="meeting_qos",category="Heavy",outcome="ok"}',
      'qoswatch_zoom_daily_budget_calls{account="zoom"}',
      'qoswatch_zoom_daily_budget_remaining_calls{account="zoom"}',
      'qoswatch_poll_cycle_duration_seconds_count',
      'qoswatch_poll_last_success_timestamp_seconds',
      'qoswatch_poll_coverage_ratio',
      'qoswatch_samples_parsed_total',
      'qoswatch_values_missing_total{field=',
      'qoswatch_alerts{alertname="datacenter-loss-incident",severity="critical",state=',
      'qoswatch_rules_loaded 8',
      'qoswatch_rules_reload_success 1',
      'qoswatch_build_info{version=',
      // Every reason from 0, before the daemon listens (fH44).
      'qoswatch_http_connections_closed_total{listener="metrics",reason="pipelined"} 0\n',
      'qoswatch_http_connections_closed_total{listener="metrics",reason="evicted"} 0\n',
      'qoswatch_http_connections_closed_total{listener="metrics",reason="stalled"} 0\n',
    ])
      expect(text, name).toContain(name);
  });

  it('count every cycle, those that ended before prom-client was loaded (at the first use) too', () => {
    const cycles = daemon.parts.scheduler.cycles;
    expect(cycles).toBeGreaterThan(2);
    expect(text).toContain(`qoswatch_poll_cycle_duration_seconds_count ${cycles}\n`);
  });

  it('share one render between the scrapes of one turn of the event loop; a later scrape renders anew (hT43 F1)', async () => {
    const m = daemon.parts.metrics;
    const before = m.renders;
    const [a, b, c] = await Promise.all([m.pieces(), m.pieces(), m.pieces()]);
    expect(b).toBe(a); // was three renders of the same
    expect(c).toBe(a);
    expect(m.renders - before).toBe(1);
    // All bytes: a connection that does not read holds these, not a copy of its own.
    expect(a.filter((p) => typeof p === 'string')).toEqual([]);
    expect(await m.pieces()).not.toBe(a);
    expect(m.renders - before).toBe(2);
  });

  it('drop the series of an ended instance at the next scrape', async () => {
    // "Customer onboarding" (86198765432) ends at minute 35 of the scenario.
    expect(text).toContain('instance_id="86198765432"');
    await runUntil(daemon, h, T0 + 37 * 60_000);
    const after = await daemon.parts.metrics.text();
    expect(after).not.toContain('instance_id="86198765432"');
    expect(after).toContain('instance_id="87011223344"');
    // 37 scenario minutes of the demo's daemon and simulator: 28 s at load 15-24.
  }, 180_000);
});

describe('opt-in participant series', () => {
  it('label by the stable participant key only; names, e-mails and IPs need their own opt-in', async () => {
    const keys = await daemonAt(2, (c) => void (c.metrics.participantSeries = true));
    const text = await keys.parts.metrics.text();
    expect(text).toMatch(
      /qoswatch_participant_latency_seconds\{kind="meeting",instance_id="85012345678",instance_uuid="[^"]+",participant="16778240",stream="audio_input"\}/,
    );
    for (const id of identities()) expect(text, id).not.toContain(id);
    const named = await daemonAt(2, (c) => {
      c.metrics.participantSeries = true;
      c.metrics.participantIdentity = true;
    });
    const namedText = await named.parts.metrics.text();
    expect(namedText).toMatch(
      /qoswatch_participant_info\{kind="meeting",instance_id="85012345678",instance_uuid="[^"]+",participant="16778240",name="Maya Lindqvist",email="maya@example.com",ip="203.0.113.7"\} 1/,
    );
  });
});
