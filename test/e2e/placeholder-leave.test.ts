import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { daemonFor, holdClockInCycles, runUntil } from '../helpers/daemon.js';
import { captureLog } from '../helpers/log.js';
import { counter } from '../helpers/qos-rewrite-run.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { s2sClient, startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Zoom's placeholder `leave_time` (outside tester hT42, stop 42, MEDIUM): every example QoS
 * answer of Zoom's API, the live zoomnet one too, carries `leave_time` equal to `join_time` on a
 * join that is there. The simulator sends it so (`present_leave_time: join_time`). On the old
 * code the first poll took every such join as left: Bob's latency alert fired and resolved
 * (`left`) in that cycle, then his fresh samples were ignored for good (no one present). Now a
 * leave_time at or before join_time is no leave: Bob's alert stays firing, he stays present;
 * Gus, who really leaves at minute 8, still resolves as left.
 */
const MIN = 60_000;

let h: SimHarness;
const changes: AlertChange[] = [];
const events: PipelineEvent[] = [];
const { log, lines } = captureLog('info');
let metrics: string;

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'placeholder-leave',
      present_leave_time: 'join_time',
      qos_window: '30m',
      meetings: [
        {
          id: 86500000042,
          uuid: 'placeholder/leave==',
          topic: 'Weekly sync',
          end: '2h',
          participants: [
            { key: 'bob', id: 'u-bob', user_id: '7421', name: 'Bob Okafor' },
            { key: 'gus', user_id: '7422', name: 'Gus Guest', leave: '8m' },
            { key: 'ann', id: 'u-ann', user_id: '7423', name: 'Ann Ng' },
          ],
        },
      ],
      episodes: [
        { where: { participant: 'bob' }, from: '0m', to: '2h', audio: { latency: '471ms' } },
        { where: { participant: 'gus' }, from: '0m', to: '8m', audio: { latency: '471ms' } },
      ],
    },
    3 * MIN,
  );
  const { daemon: template } = daemonFor(h);
  const daemon = holdClockInCycles(
    new Daemon(template.parts.config, { clock: h.clock, log, sinks: [{ handle: (e) => events.push(e) }] }),
    h,
  );
  daemon.onAlerts((c) => changes.push(...c));
  await runUntil(daemon, h, T0 + 20 * MIN);
  metrics = await daemon.parts.metrics.text();
  await daemon.close();
}, 120_000);
afterAll(async () => h?.close());

/** The latency alert's changes past pending of one join (`user_id`: names are not labels unless opted in). */
const latency = (join: string): [string, string | undefined][] =>
  changes
    .filter((c) => c.alert.rule === 'audio-latency-high' && c.alert.labels.participant === join)
    .filter((c) => c.state !== 'pending')
    .map((c) => [c.state, c.alert.reason ?? undefined]);

describe("a QoS answer with Zoom's placeholder leave_time (equal to join_time), over HTTP", () => {
  it('the simulator sends it: the leave_time of a present join is its join_time', async () => {
    const page = await s2sClient(h).get<{
      participants: { user_id: string; join_time: string; leave_time?: string }[];
    }>(ENDPOINTS.meetingQos, { id: 'placeholder/leave==' }, { page_size: 10 });
    const bob = page.participants.find((p) => p.user_id === '7421')!;
    expect(bob.leave_time).toBe(bob.join_time);
    const gus = page.participants.find((p) => p.user_id === '7422')!;
    expect(Date.parse(gus.leave_time!) - Date.parse(gus.join_time)).toBe(8 * MIN);
  });

  it('is no leave: the alert of a join that stays keeps firing (old code: fired and resolved as left at once)', () => {
    expect(latency('7421')).toEqual([['firing', undefined]]);
    expect(events.some((e) => e.type === 'left' && e.participant === '7421')).toBe(false);
  });

  it('the join stays present, its fresh samples are read to the end (old code: nobody present after the first poll)', () => {
    const polled = events.filter((e) => e.type === 'polled');
    expect(polled.length).toBeGreaterThan(10);
    expect(polled.at(-1)!.type === 'polled' && [...polled.at(-1)!.present].sort()).toEqual(['7421', '7423']);
    const bobTimes = events.flatMap((e) =>
      e.type === 'samples' ? e.samples.filter((s) => s.participant.join === '7421').map((s) => s.time) : [],
    );
    expect(Math.max(...bobTimes)).toBeGreaterThanOrEqual(T0 + 19 * MIN);
  });

  it('a real leave (after join_time, no later sample) still ends the join: its alert resolves as left', () => {
    expect(latency('7422')).toEqual([
      ['firing', undefined],
      ['resolved', 'left'],
    ]);
  });

  it('is not counted nor logged as odd: it is how Zoom writes every live entry', () => {
    expect(counter(metrics, 'qoswatch_values_missing_total', ['field="leave_time"'])).toBe(0);
    expect(lines.filter((l) => l.msg.includes('leave_time'))).toEqual([]);
  });
});
