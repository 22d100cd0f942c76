import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QssPusher } from '../../src/simulator/qss-pusher.js';
import { debianBinary } from '../helpers/binaries.js';
import { pushedMeeting, pushingDaemon, pushThenPoll, wiredParticipant } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/** promtool as found on PATH (a machine may have it elsewhere than Debian's /usr/bin). */
const promtool = debianBinary('promtool', 'prometheus');

const SECRET = 'e2e-qss-secret';
const MIN = 60_000;
/** Pushes stop after this minute; polling must take the meeting back within TAKEOVER + one cycle. */
const STOP_PUSH_AT = 16;
const TAKEOVER = 3 * MIN;
const END = 45;
/** The minute of the push path's recheck (webhooks.recheck_every, 10m). */
const RECHECK = 10;

let h: SimHarness;
let daemon: Daemon;
let events: PipelineEvent[];
let pusher: QssPusher;
const changes: AlertChange[] = [];
/** Minutes at which the simulator served the pushed meeting's QoS list to a poll. */
const polledPushedAt: number[] = [];
const polledOtherAt: number[] = [];
const savedByMinute: number[] = [];
/** Redeliveries of the retry fault (Zoom's +5, +20, +60 minutes) sent before and after pushes stopped. */
let retriedBeforeStop = 0;
let retriedAfterStop = 0;

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-e2e',
      qos_window: '10m',
      meetings: [
        {
          ...pushedMeeting(83000000001, 'pushed/meeting==', 'Pushed', wiredParticipant('ann', '200')),
          crowd: { count: 6, prefix: 'pm-', join: '0m', muted_share: 0 },
        },
        {
          ...pushedMeeting(83000000002, 'polled==', 'Polled', wiredParticipant('bob', '300')),
          crowd: { count: 4, prefix: 'po-', join: '0m', muted_share: 0 },
        },
      ],
      // Ann's latency is bad from minute 5 to minute 30: the alert fires from pushed data and
      // is still firing when polling takes over at minute ~19; Bob's is polled throughout.
      episodes: [
        { where: { participant: 'ann' }, from: '5m', to: '30m', any: { latency: '450ms' } },
        { where: { participant: 'bob' }, from: '5m', to: '15m', any: { latency: '450ms' } },
      ],
    },
    0,
  );
  h.sim.onServe = ({ instance, at }) => {
    const m = Math.round((at - T0) / MIN);
    (instance.uuid === 'pushed/meeting==' ? polledPushedAt : polledOtherAt).push(m);
  };
  ({ daemon, events, pusher } = await pushingDaemon(h, SECRET, TAKEOVER, {
    only: (i) => i.uuid === 'pushed/meeting==',
    faults: { duplicate: 0.3, replay: 0.1, badSignature: 0.1, outOfOrder: true, retry: 0.3 },
  }));
  daemon.onAlerts((c) => changes.push(...c));
  await pushThenPoll(h, daemon, pusher, {
    end: END,
    stopPushAt: STOP_PUSH_AT,
    onCycle: (r) => {
      savedByMinute.push(r.callsSaved);
      if (savedByMinute.length === STOP_PUSH_AT + 1) retriedBeforeStop = pusher.stats.retried;
    },
  });
  retriedAfterStop = pusher.stats.retried - retriedBeforeStop;
}, 120_000);
afterAll(async () => {
  await daemon.close();
  await h.close();
});

const fired = (participant: string): AlertChange[] =>
  changes.filter(
    (c) => c.state === 'firing' && c.previous !== 'firing' && c.alert.labels.participant === participant,
  );
const resolved = (participant: string): AlertChange[] =>
  changes.filter((c) => c.state === 'resolved' && c.alert.labels.participant === participant);

describe('push and poll together, against the simulator pushing signed QSS events', () => {
  it('fires the alert from pushed data while polling leaves the pushed meeting alone', () => {
    const f = fired('200');
    expect(f.map((c) => c.alert.rule)).toEqual(['audio-latency-high']);
    // Fired before polling took the meeting back: it came from pushes.
    expect(f[0]!.alert.firingSince).toBeLessThan(T0 + STOP_PUSH_AT * MIN);
    // Polled at minute 0 (who is there), then only for webhooks.recheck_every (10m): minute 10.
    expect(polledPushedAt.filter((m) => m > 0 && m <= STOP_PUSH_AT)).toEqual([RECHECK]);
    // The other meeting was polled all along, and its alert fired from polls.
    expect(new Set(polledOtherAt).size).toBeGreaterThan(END / 2);
    expect(fired('300').map((c) => c.alert.rule)).toEqual(['audio-latency-high']);
  });

  it('counts the calls pushes saved, and shows the path on /api/v1/status and /metrics', async () => {
    // Every minute the pushes covered, but the recheck's.
    const saved = savedByMinute.slice(1, STOP_PUSH_AT);
    expect(saved.map((n, i) => n >= 1 || i + 1 === RECHECK)).toEqual(saved.map(() => true));
    expect(savedByMinute[RECHECK]).toBe(0);
    const status = (await (await fetch(`${daemon.url!}/api/v1/status`)).json()) as {
      webhooks: {
        calls_saved: number;
        takeovers: number;
        refused: Record<string, number>;
        requests: Record<string, number>;
      };
    };
    expect(status.webhooks.calls_saved).toBe(savedByMinute.reduce((a, b) => a + b, 0));
    expect(status.webhooks.takeovers).toBe(1);
    expect(status.webhooks.refused.bad_signature).toBeGreaterThan(0);
    expect(status.webhooks.refused.replay).toBeGreaterThan(0);
    expect(status.webhooks.requests.duplicate).toBeGreaterThan(0);
    const metrics = await (await fetch(`${daemon.url!}/metrics`)).text();
    expect(metrics).toMatch(/^qoswatch_poll_calls_saved_total [1-9]\d*$/m);
    expect(metrics).toMatch(
      /^qoswatch_instance_qos_path\{kind="meeting",instance_id="83000000001",instance_uuid="pushed\/meeting==",path="poll"\} 1$/m,
    );
    expect(metrics).toMatch(/^qoswatch_webhook_refused_total\{reason="bad_signature"\} [1-9]/m);
    expect(metrics).toMatch(/^qoswatch_poll_takeovers_total 1$/m);
  });

  it.runIf(promtool)(
    'exports webhook metrics that pass promtool check metrics, with no participant identity in them',
    async () => {
      const text = await (await fetch(`${daemon.url!}/metrics`)).text();
      const r = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(text).toContain('qoswatch_webhook_handoff_seconds_bucket');
      expect(text).not.toContain('Ann');
      expect(text).not.toContain('u-ann');
    },
  );

  it("answers Zoom's retries at +5, +20 and +60 minutes as duplicates, after pushes stopped too", () => {
    // Every retry fault redelivery got a 200 and was not handed on (the exactly-once test below).
    expect(pusher.stats.retried).toBeGreaterThan(10);
    expect(retriedAfterStop).toBeGreaterThan(0);
    expect(pusher.stats.failed).toBe(0);
    expect(daemon.parts.webhooks!.receiver.stats.outcomes.get('duplicate')).toBeGreaterThanOrEqual(
      pusher.stats.retried,
    );
  });

  it('takes the meeting back by polling within takeover_after plus one cycle once pushes stop', () => {
    const first = polledPushedAt.find((m) => m > STOP_PUSH_AT);
    expect(first).toBeDefined();
    expect(first!).toBeLessThanOrEqual(STOP_PUSH_AT + TAKEOVER / MIN + 1);
    expect(first!).toBeGreaterThan(STOP_PUSH_AT + TAKEOVER / MIN - 1);
  });

  it('loses and repeats no alert across the handover: one firing, one resolution, each', () => {
    expect(fired('200')).toHaveLength(1);
    expect(resolved('200')).toHaveLength(1);
    expect(resolved('200')[0]!.alert.resolvedAt ?? 0).toBeGreaterThan(T0 + 30 * MIN);
    expect(fired('300')).toHaveLength(1);
    expect(resolved('300')).toHaveLength(1);
  });

  it('hands on every sample of the pushed meeting exactly once across push, redeliveries and poll', () => {
    const seen = new Map<string, number>();
    for (const e of events)
      if (e.type === 'samples')
        for (const s of e.samples)
          if (s.instance.uuid === 'pushed/meeting==') {
            const k = `${s.participant.key}@${s.time}`;
            seen.set(k, (seen.get(k) ?? 0) + 1);
          }
    expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
    const inst = h.sim.scenario.instances.find((i) => i.uuid === 'pushed/meeting==')!;
    let expected = 0;
    for (const p of inst.participants)
      for (const t of h.sim.world.sampleTimes(inst, p, T0, T0 + END * MIN)) {
        expected++;
        expect(seen.has(`${p.userId}@${t}`), `${p.key} at ${new Date(t).toISOString()}`).toBe(true);
      }
    expect(seen.size).toBe(expected);
    expect(expected).toBeGreaterThan(300);
    // Pushed samples carry the topic discovery knows, as polled ones do.
    const pushed = events
      .flatMap((e) => (e.type === 'samples' ? e.samples : []))
      .find((s) => s.instance.uuid === 'pushed/meeting==');
    expect(pushed!.instance.topic).toBe('Pushed');
  });
});
