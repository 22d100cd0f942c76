import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { daemonFor } from '../helpers/daemon.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';
import { webhookSettings } from '../helpers/webhooks-service.js';
import { post, zoomHeaders } from '../helpers/zoom-webhook.js';
import { zoomTime } from '../../src/util/zoom-time.js';

/**
 * Issue 15 D3 and D2 end to end: a real daemon, signed QSS events posted over HTTP as Zoom
 * documents them, one event per stream type (Zoom's example carries a single `audio_input`
 * entry): an `audio_output` event after the `audio_input` one of the same join and minute is
 * judged by the rules; a minute pushed after newer ones is counted late, not judged live.
 */
const SECRET = 'e2e-streams-secret';
const MIN = 60_000;
const UUID = 'streams/meeting==';

let h: SimHarness;
let daemon: Daemon;
let events: PipelineEvent[];
const changes: AlertChange[] = [];
const answers: number[] = [];

/** One `meeting.participant_qos` event of user 700 with one stream entry, as Zoom's example. */
function qosEvent(minute: number, type: string, latency: string): string {
  return JSON.stringify({
    event: 'meeting.participant_qos',
    event_ts: T0 + minute * MIN + 5_000,
    payload: {
      account_id: 'AAAAAABBBB',
      object: {
        uuid: UUID,
        id: 83200000001,
        participant: {
          user_id: '700',
          participant_user_id: 'u-dee',
          user_name: 'Dee',
          email: 'dee@example.com',
          qos: [
            {
              date_time: zoomTime(T0 + minute * MIN),
              type,
              details: { bitrate: '63 kbps', latency, jitter: '6 ms', avg_loss: '0.0%', max_loss: '0.0%' },
            },
          ],
        },
      },
    },
  });
}

/** Posts a signed event to daemon `d` and waits until its spool is drained; the HTTP status. */
async function pushTo(d: Daemon, sim: SimHarness, body: string): Promise<number> {
  const url = `${d.parts.webhooks!.url!}/zoom/qss`;
  const status = (await post(url, body, zoomHeaders(SECRET, body, sim.clock.now()))).status;
  for (let i = 0; i < 50 && d.parts.webhooks!.spool.backlogBytes > 0; i++)
    await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return status;
}

async function push(body: string): Promise<void> {
  answers.push(await pushTo(daemon, h, body));
}

/** The simulated account: one meeting with Dee, so discovery gives the meeting's topic. */
const SIM = {
  seed: 'push-streams',
  qos_window: '10m',
  meetings: [
    {
      id: 83200000001,
      uuid: UUID,
      topic: 'Streams',
      start: '0m',
      end: '2h',
      participants: [{ key: 'dee', id: 'u-dee', user_id: '700', name: 'Dee' }],
    },
  ],
};

/** A rule on the received audio alone: the audio_input events carry none of it. */
const RULES = `rules:
  - name: received-audio-latency
    streams: [audio_output]
    metric: latency
    when: above
    threshold: 300ms
    for: 2m
    severity: warning
    annotations:
      summary: '{{participant}} receives audio {{value}} late'
`;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qw-rules-'));
  writeFileSync(join(dir, 'received.yaml'), RULES);
  h = await startSim(SIM, 0);
  ({ daemon, events } = daemonFor(h, (c) => {
    c.sources = { meetings: true, webinars: false, sessions: false };
    c.rules.paths = [dir];
    c.webhooks = { ...webhookSettings(SECRET), takeoverAfterMs: 30 * MIN };
  }));
  daemon.onAlerts((c) => changes.push(...c));
  await daemon.listen();
  const stop = new AbortController();
  for (let m = 1; m <= 6; m++) {
    h.clock.advanceTo(T0 + m * MIN + 10_000);
    // Dee sends with good latency and receives with bad: the bad stream comes second.
    await push(qosEvent(m, 'audio_input', '50 ms'));
    await push(qosEvent(m, 'audio_output', '450 ms'));
    if (m === 1) await daemon.parts.scheduler.cycle(stop.signal); // discovery: the meeting's topic
  }
  // Minute 0, never pushed, comes after minute 6 (a retry of an event Zoom could not deliver).
  await push(qosEvent(0, 'audio_output', '450 ms'));
}, 60_000);
afterAll(async () => {
  await daemon?.close();
  await h?.close();
});

describe('one pushed event per stream type of the same join and minute (issue 15 D3)', () => {
  it('accepts every signed event', () => {
    expect(answers).toEqual(Array(13).fill(200));
  });

  it('fires a rule on audio_output from the audio_output events that follow the audio_input ones', () => {
    const fired = changes.filter((c) => c.state === 'firing' && c.previous !== 'firing');
    expect(fired.map((c) => [c.alert.rule, c.alert.labels.participant])).toEqual([
      ['received-audio-latency', '700'],
    ]);
    expect(fired[0]!.alert.context.stream).toBe('audio_output');
    // Pending from minute 1, firing at minute 3 (for: 2m).
    expect(fired[0]!.alert.firingSince).toBe(T0 + 3 * MIN);
  });

  it('hands on each minute with both streams, the second event refining the first', () => {
    const samples = events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
    const last = new Map<number, string[]>();
    for (const s of samples) last.set(s.time, Object.keys(s.streams).sort());
    expect([...last.keys()].map((t) => (t - T0) / MIN)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const streams of last.values()) expect(streams).toEqual(['audio_input', 'audio_output']);
  });

  it('counts the older minute pushed after newer ones as late, not as a duplicate, and does not judge it live', async () => {
    const samples = events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
    expect(samples.some((s) => s.time === T0)).toBe(false);
    const status = (await (await fetch(`${daemon.url!}/api/v1/status`)).json()) as {
      webhooks: { samples: { new: number; late: number; duplicate: number; future: number } };
    };
    expect(status.webhooks.samples).toEqual({ new: 12, late: 1, duplicate: 0, future: 0 });
    const metrics = await (await fetch(`${daemon.url!}/metrics`)).text();
    expect(metrics).toMatch(/^qoswatch_webhook_samples_total\{result="late"\} 1$/m);
    expect(metrics).toMatch(/^qoswatch_webhook_samples_total\{result="duplicate"\} 0$/m);
  });
});

/**
 * A rule over several streams (the default `audio-latency-high`, on any audio stream) when each
 * minute comes as a healthy audio_input event, then a breaching audio_output one: the first,
 * partial sample of a minute must not cancel the pending alert (or start the recovery) that the
 * minute's second event keeps breaching.
 */
describe('a rule over any audio stream, each minute pushed healthy stream first (issue 15 D3)', () => {
  let sim: SimHarness;
  let d: Daemon;
  const seen: AlertChange[] = [];
  const statuses: number[] = [];

  beforeAll(async () => {
    sim = await startSim(SIM, 0);
    ({ daemon: d } = daemonFor(sim, (c) => {
      c.sources = { meetings: true, webinars: false, sessions: false };
      c.webhooks = { ...webhookSettings(SECRET), takeoverAfterMs: 30 * MIN };
    }));
    d.onAlerts((c) => seen.push(...c));
    await d.listen();
    const stop = new AbortController();
    for (let m = 1; m <= 8; m++) {
      sim.clock.advanceTo(T0 + m * MIN + 10_000);
      // Dee's sent audio is fine; her received audio is 450 ms late until minute 5, then 100 ms.
      statuses.push(await pushTo(d, sim, qosEvent(m, 'audio_input', '50 ms')));
      statuses.push(await pushTo(d, sim, qosEvent(m, 'audio_output', m <= 5 ? '450 ms' : '100 ms')));
      if (m === 1) await d.parts.scheduler.cycle(stop.signal); // discovery: the meeting's topic
    }
  }, 60_000);
  afterAll(async () => {
    await d?.close();
    await sim?.close();
  });

  it('fires audio-latency-high after `for` (2m) and resolves after the recovery (1m)', () => {
    expect(statuses).toEqual(Array(16).fill(200));
    const latency = seen.filter((c) => c.alert.rule === 'audio-latency-high' && c.state !== c.previous);
    expect(latency.map((c) => [c.previous, c.state])).toEqual([
      ['inactive', 'pending'],
      ['pending', 'firing'],
      ['firing', 'resolved'],
    ]);
    const [pending, firing, resolved] = latency.map((c) => c.alert);
    expect(pending!.since).toBe(T0 + 1 * MIN);
    expect(firing!.firingSince).toBe(T0 + 3 * MIN);
    expect(firing!.context.stream).toBe('audio_output');
    expect(firing!.labels.participant).toBe('700');
    // 100 ms from minute 6 (below the 250 ms recovery threshold), resolved a minute later.
    expect(resolved!.resolvedAt).toBe(T0 + 7 * MIN);
    expect(resolved!.since).toBe(T0 + 1 * MIN);
  });
});
