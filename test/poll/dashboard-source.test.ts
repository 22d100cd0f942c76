import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { silentLogger } from '../../src/util/logger.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { meetingSource, s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => h.close());

/** One signed-in user three times (a stay that ended, the rejoin, a phone), and a guest. */
const maya = { id: 'u-maya', name: 'Maya Lindqvist', data_center: 'SC', network_type: 'Wired' };
const threeJoins = (shape: 'older' | 'newer'): RawScenario => ({
  shape,
  meetings: [
    {
      id: 85000000001,
      uuid: 'mtg-uuid-1==',
      topic: 'Identity',
      end: '30m',
      participants: [
        { key: 'old', user_id: '100', ...maya, device: 'Mac', leave: '3m' },
        { key: 'rejoin', user_id: '101', ...maya, device: 'Mac', join: '4m' },
        { key: 'phone', user_id: '102', ...maya, device: 'iOS', data_center: 'NY', join: '1m' },
        { key: 'guest', id: '', user_id: '103', name: '', device: 'Android', data_center: 'AM' },
      ],
    },
  ],
});

async function pollOnce(
  shape: 'older' | 'newer',
  log = silentLogger(),
): Promise<{
  source: DashboardSource;
  result: Awaited<ReturnType<DashboardSource['poll']>>;
  participantsCalls: number;
}> {
  h = await startSim(threeJoins(shape), 6 * 60_000);
  const client = s2sClient(h);
  const source = new DashboardSource('meeting', client, h.clock, new NormalizeStats(), log, 1_800_000);
  const {
    live: [live],
  } = await source.discover();
  const result = await source.poll(live!);
  return { source, result, participantsCalls: client.stats.total({ endpoint: 'meeting_participants' }) };
}

describe('DashboardSource identity', () => {
  for (const shape of ['older', 'newer'] as const) {
    it(`keeps every entry that shares an account id (${shape} shape) and links them`, async () => {
      const { result } = await pollOnce(shape);
      const joins = new Set(result.samples.map((s) => s.participant.join));
      expect([...joins].sort()).toEqual(['100', '101', '102', '103']);
      const keyOf = new Map(result.samples.map((s) => [s.participant.join, s.participant.key]));
      // The rejoin carries on the old stay's key; the phone and the guest keep their own.
      expect(Object.fromEntries(keyOf)).toEqual({ '100': '100', '101': '100', '102': '102', '103': '103' });
      expect(result.present.sort()).toEqual(['100', '102', '103']);
      expect(result.left).toEqual([]);
      const person = new Map(result.samples.map((s) => [s.participant.join, s.participant.person]));
      expect(person.get('101')).toBe('u-maya');
      expect(person.get('103')).toBeUndefined();
      const phone = result.samples.find((s) => s.participant.join === '102')!;
      expect(phone.participant.label).toMatch(/^Maya Lindqvist \(/);
      // Context joined on user_id: the phone's NY is its own, not the laptop's SC.
      expect(phone.context.dataCenter).toBe('NY');
      expect(result.samples.find((s) => s.participant.join === '103')!.context.dataCenter).toBe('AM');
    });
  }

  it('costs what the latest QoS answer holds, not what discovery counted', async () => {
    h = await startSim(threeJoins('newer'), 6 * 60_000);
    const source = meetingSource(h);
    const {
      live: [live],
    } = await source.discover();
    // The list's count can be far off (it counts every join of the meeting, say): 400 is 40 pages.
    live!.participants = 400;
    expect(source.cost(live!)).toBe(40);
    const result = await source.poll(live!);
    expect(result.present).toHaveLength(3); // rejoin, phone, guest at minute 6
    expect(live!.participants).toBe(3);
    expect(source.cost(live!)).toBe(1);
  });

  it('reads context from the entry in the newer shape: no participants call', async () => {
    const older = await pollOnce('older');
    await h.close();
    const newer = await pollOnce('newer');
    expect(older.participantsCalls).toBe(1);
    expect(older.source.contextSource).toEqual({ entry: 0, list: 4 });
    expect(newer.participantsCalls).toBe(0);
    expect(newer.source.contextSource).toEqual({ entry: 4, list: 0 });
  });

  it('takes 404/3001 on a listed instance as ended, and on an id never listed as an error', async () => {
    const lines: string[] = [];
    const { source } = await pollOnce('newer', pino({}, { write: (l: string) => lines.push(l) }));
    const ref = { kind: 'meeting' as const, id: '1', uuid: 'never-listed==', topic: 'x' };
    const err = await source.poll({ ref, participants: 1 }).catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_NOT_FOUND')).toBe(true);
    await source.poll({ ref, participants: 1 }).catch(() => undefined);
    expect(source.listed.unknown).toBe(2);
    expect(lines.filter((l) => l.includes('never-listed==')).length).toBe(1);
    h.clock.advance(30 * 60_000);
    const meeting = { ref: { ...ref, uuid: 'mtg-uuid-1==' }, participants: 1 };
    expect((await source.poll(meeting)).ended).toBe(true);
  });
});
