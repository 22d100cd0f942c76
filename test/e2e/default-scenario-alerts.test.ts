import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import { alertsUntil } from '../helpers/daemon.js';
import { startDefaultScenario, T0, type SimHarness } from '../helpers/sim.js';

// Participants are keyed by the user_id of their join, not by their account id.
const BOB = '16778241';
const DANA = '16778242';

let h: SimHarness;
let fired: Alert[] = [];
let resolved: Alert[] = [];

beforeAll(async () => {
  h = await startDefaultScenario();
  ({ fired, resolved } = await alertsUntil(h, T0 + 40 * 60_000));
}, 120_000);
afterAll(async () => h.close());

describe("the default scenario's alerts", () => {
  it("fires for Bob's Wi-Fi and Dana's CPU, and resolves them", () => {
    const bob = fired.filter((a) => a.context.participantKey === BOB).map((a) => a.rule);
    expect(bob.sort()).toEqual([
      'audio-jitter-high',
      'audio-latency-high',
      'audio-loss-high',
      'wifi-signal-weak',
    ]);
    const dana = fired.filter((a) => a.context.participantKey === DANA).map((a) => a.rule);
    expect(dana.sort()).toEqual(['video-frame-rate-collapse', 'zoom-cpu-pegged']);
    for (const a of fired.filter(
      (x) => x.scope === 'participant' && [BOB, DANA].includes(x.context.participantKey!),
    ))
      expect(
        resolved.some((r) => r.id === a.id && r.reason === 'recovered'),
        a.id,
      ).toBe(true);
  });

  it('fires one NY data-center incident and explains the NY participant alerts by it', () => {
    const incidents = fired.filter((a) => a.rule === 'datacenter-loss-incident');
    expect(incidents.map((a) => a.labels.data_center)).toEqual(['NY']);
    expect(resolved.some((a) => a.rule === 'datacenter-loss-incident')).toBe(true);
    const ny = fired.filter((a) => a.scope === 'participant' && a.context.dataCenter === 'NY');
    expect(ny.length).toBeGreaterThan(20);
    const explained = ny.filter((a) => a.inhibitedBy === 'datacenter-loss-incident|NY');
    expect(explained.length / ny.length).toBeGreaterThan(0.9);
  });

  it('fires nothing for healthy participants', () => {
    const unexpected = fired.filter(
      (a) =>
        a.scope === 'participant' &&
        ![BOB, DANA].includes(a.context.participantKey!) &&
        a.context.dataCenter !== 'NY',
    );
    expect(unexpected.map((a) => `${a.rule} ${a.context.participant}`)).toEqual([]);
  });
});
