import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import type { QosSample } from '../../src/normalize/sample.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { generateSample } from '../../src/simulator/qos-generator.js';
import type { SimInstance, SimParticipant } from '../../src/simulator/scenario-types.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

const HOURS = 3;
let h: SimHarness;
let daemon: Daemon;
let events: PipelineEvent[];
const servedUntil = new Map<string, number>(); // instance uuid + user_id -> last time a QoS answer listed them
let stopAt: number;

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'e2e',
      qos_window: '10m',
      meetings: [
        {
          id: 81000000001,
          uuid: '/e2e//standup==',
          topic: 'Stand-up',
          start: '0m',
          end: '50m',
          participants: [
            { key: 'ann', id: 'u-ann', user_id: '100', name: 'Ann', network_type: 'Wifi', data_center: 'SC' },
            { key: 'ben', id: '', user_id: '101', name: '', device: 'H.323/SIP', data_center: 'SC' },
            {
              key: 'cy',
              id: 'u-cy',
              user_id: '102',
              name: 'Cy',
              join: '10m',
              leave: '25m',
              media: ['video'],
            },
          ],
        },
        {
          id: 81000000002,
          uuid: 'all-day==',
          topic: 'All day',
          start: '0m',
          end: '4h',
          crowd: { count: 23, prefix: 'ad-', leave: '2h' },
        },
        {
          id: 81000000003,
          uuid: 'late==',
          topic: 'Late start',
          start: '90m',
          end: '150m',
          crowd: { count: 7, prefix: 'ls-' },
        },
      ],
      webinars: [
        {
          id: 92000000001,
          uuid: 'web==',
          topic: 'Webinar',
          start: '20m',
          end: '2h',
          crowd: { count: 15, prefix: 'w-' },
        },
      ],
      sessions: [
        {
          id: 'sess-1',
          uuid: 'sess/1==',
          topic: 'Session',
          start: '30m',
          end: '100m',
          crowd: { count: 3, prefix: 's-' },
        },
      ],
      episodes: [
        { where: { participant: 'ann' }, from: '5m', to: '15m', any: { latency: '450ms', avg_loss: '6%' } },
        { where: { data_center: 'NY' }, from: '60m', to: '70m', any: { avg_loss: '9%' } },
      ],
    },
    0,
  );
  h.sim.onServe = ({ instance, participants, at }) => {
    for (const p of participants) servedUntil.set(`${instance.uuid}/${p}`, at);
  };
  ({ daemon, events } = daemonFor(h));
  stopAt = T0 + HOURS * 3_600_000;
  await runUntil(daemon, h, stopAt);
}, 120_000);
afterAll(async () => h.close());

// Every join is keyed by its own user_id (none of these participants rejoins).
const keyOf = (_inst: SimInstance, p: SimParticipant): string => p.userId;
const samples = (): QosSample[] => events.flatMap((e) => (e.type === 'samples' ? e.samples : []));

describe(`the daemon against the simulator for ${HOURS} simulated hours`, () => {
  it('hands on exactly the scenario ground truth: every sample once, values in base units', () => {
    const got = new Map<string, QosSample>();
    for (const s of samples()) {
      const k = `${s.instance.uuid}/${s.participant.key}/${s.time}`;
      expect(got.has(k), `duplicate ${k}`).toBe(false);
      got.set(k, s);
    }
    let expected = 0;
    for (const inst of h.sim.scenario.instances) {
      for (const p of inst.participants) {
        const until = servedUntil.get(`${inst.uuid}/${p.userId}`);
        if (until === undefined) continue;
        for (const t of h.sim.world.sampleTimes(inst, p, T0 - 1, until)) {
          expected++;
          const k = `${inst.uuid}/${keyOf(inst, p)}/${t}`;
          const s = got.get(k);
          expect(s, `missing ${k}`).toBeDefined();
          const truth = generateSample(h.sim.scenario, inst, p, t).truth;
          expect(s!.streams).toEqual(truth.streams);
          expect(s!.cpu ?? {}).toEqual(truth.cpu);
          expect(s!.wifi).toEqual(truth.wifi);
          expect(s!.instance).toMatchObject({ kind: inst.kind, uuid: inst.uuid });
          expect(s!.participant.name).toBe(p.name);
          if (inst.kind !== 'session')
            expect(s!.context).toMatchObject({
              dataCenter: p.dataCenter,
              networkType: p.networkType,
              device: p.device,
            });
          else expect(s!.context).toMatchObject({ dataCenter: p.dataCenter, networkType: p.networkType });
        }
      }
    }
    expect(got.size).toBe(expected);
    expect(expected).toBeGreaterThan(4500);
  });

  it('sees every participant of every instance, and nobody who was not there', () => {
    for (const inst of h.sim.scenario.instances) {
      for (const p of inst.participants)
        expect(servedUntil.has(`${inst.uuid}/${p.userId}`), `${inst.topic}/${p.key}`).toBe(true);
    }
  });

  it('hands samples on in time order within each batch', () => {
    for (const e of events)
      if (e.type === 'samples')
        for (let i = 1; i < e.samples.length; i++)
          expect(e.samples[i]!.time).toBeGreaterThanOrEqual(e.samples[i - 1]!.time);
  });

  it('reports leaves and ends once each', () => {
    const ended = events
      .filter((e) => e.type === 'ended')
      .map((e) => (e.type === 'ended' ? e.instance.uuid : ''));
    expect(ended.sort()).toEqual(['/e2e//standup==', 'late==', 'sess/1==', 'web=='].sort());
    const left = events
      .filter((e) => e.type === 'left')
      .map((e) => (e.type === 'left' ? `${e.instance.uuid}/${e.participant}` : ''));
    expect(new Set(left).size).toBe(left.length);
    expect(left).toContain('/e2e//standup==/102'); // Cy
    const allDayLeft = left.filter((k) => k.startsWith('all-day==/'));
    expect(allDayLeft).toHaveLength(23); // the whole crowd leaves at 2h
  });

  it('stays inside the rate limits and the daily budget', () => {
    expect(h.sim.limits.refused).toEqual({ qps: 0, daily: 0 });
    expect(daemon.parts.clients.zoom!.stats.total({ outcome: 'rate_limited' })).toBe(0);
    expect(h.sim.limits.dailyUsed('demo-account', stopAt)).toBeLessThanOrEqual(
      daemon.parts.clients.zoom!.budget.allowance,
    );
    // Cycles run every minute: a sample a minute per participant needs no more.
    expect(daemon.parts.scheduler.cycles).toBeGreaterThanOrEqual(HOURS * 60 - 2);
    expect(daemon.parts.scheduler.cycles).toBeLessThanOrEqual(HOURS * 60 + 2);
  });
});

describe('participants who vanish from the QoS list', () => {
  it('are dropped from the live state and their alerts resolve with reason left, without a leave_time seen', async () => {
    const { startSim: start } = await import('../helpers/sim.js');
    // Zoom lists leavers for the QoS window only. Polls 5 minutes apart with a 3-minute window
    // never see Bob's leave_time (he leaves at 7m; the 10m poll no longer lists him).
    const h2 = await start(
      {
        qos_window: '3m',
        meetings: [
          {
            id: 81000000009,
            uuid: 'vanish==',
            participants: [{ key: 'bob', user_id: '1', leave: '7m' }, { user_id: '2' }],
          },
        ],
        episodes: [{ where: { participant: 'bob' }, from: '0m', to: '1h', any: { latency: '600ms' } }],
      },
      0,
    );
    const { daemon: d2, events: e2 } = daemonFor(h2, (c) => {
      c.sources = { meetings: true, webinars: false, sessions: false };
      c.poll.minIntervalMs = 5 * 60_000;
    });
    const changes: string[] = [];
    d2.onAlerts((cs) =>
      changes.push(
        ...cs.filter((c) => c.state !== 'pending').map((c) => `${c.state}:${c.alert.reason ?? ''}`),
      ),
    );
    await runUntil(d2, h2, T0 + 5 * 60_000); // cycles at 0 and 5m
    expect(d2.parts.live.instances.get('meeting:vanish==')?.participants.has('1')).toBe(true);
    expect(changes).toEqual(['firing:']);
    await runUntil(d2, h2, T0 + 12 * 60_000);
    expect(e2.filter((e) => e.type === 'left')).toEqual([]); // no leave_time was ever seen
    expect(d2.parts.live.instances.get('meeting:vanish==')?.participants.has('1')).toBe(false);
    expect(changes).toEqual(['firing:', 'resolved:left']);
    await h2.close();
  });
});
