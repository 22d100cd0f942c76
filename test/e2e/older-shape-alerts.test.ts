import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import { alertsUntil } from '../helpers/daemon.js';
import { startDefaultScenario, T0, type SimHarness } from '../helpers/sim.js';

/**
 * The demo's daemon against the older-shape scenario: QoS entries with `user_id` only and
 * context only in the participants list, a user who drops and rejoins, a user on a second
 * device, and an AM data-center incident.
 */
const SCENARIO = new URL('../../src/simulator/scenarios/older-shape.yaml', import.meta.url).pathname;
const CAROL = ['17000001', '17000002'];
const ERIK_LAPTOP = '17000003';
const ERIK_PHONE = '17000004';

let h: SimHarness;
let fired: Alert[] = [];
let resolved: Alert[] = [];
let participantsCalls = 0;

beforeAll(async () => {
  h = await startDefaultScenario(SCENARIO);
  ({ fired, resolved } = await alertsUntil(h, T0 + 40 * 60_000));
  participantsCalls = h.sim.requests.get('participants 200') ?? 0;
}, 120_000);
afterAll(async () => h.close());

const participantAlerts = (): Alert[] => fired.filter((a) => a.scope === 'participant');

describe('the older-shape scenario end to end', () => {
  it('reads context from the participants list, since the QoS entries carry none', () => {
    expect(participantsCalls).toBeGreaterThan(0);
  });

  it('fires the AM data-center incident as one alert that explains the AM participant alerts', () => {
    const incidents = fired.filter((a) => a.rule === 'datacenter-loss-incident');
    expect(incidents.map((a) => a.labels.data_center)).toEqual(['AM']);
    const am = participantAlerts().filter((a) => a.context.dataCenter === 'AM');
    expect(am.length).toBeGreaterThanOrEqual(5);
    expect(am.filter((a) => a.inhibitedBy !== incidents[0]!.id)).toEqual([]);
    expect(fired.filter((a) => a.scope === 'instance').map((a) => a.id)).toEqual([]);
  });

  it('keeps one alert for Carol across her rejoin, resolved when her Wi-Fi recovers', () => {
    const carol = participantAlerts().filter((a) => a.context.participant === 'Carol Diaz');
    expect(carol.map((a) => a.rule)).toEqual(['audio-latency-high']);
    expect(CAROL).toContain(carol[0]!.context.participantKey);
    const ends = resolved.filter((a) => a.id === carol[0]!.id);
    expect(ends.map((a) => a.reason)).toEqual(['recovered']);
    // Fired before the rejoin (minute 13), resolved after the episode's end (minute 24).
    expect(carol[0]!.firingSince!).toBeLessThan(T0 + 12 * 60_000);
    expect(ends[0]!.resolvedAt!).toBeGreaterThanOrEqual(T0 + 24 * 60_000);
  });

  it("fires for Erik's phone only, saying which device", () => {
    const erik = participantAlerts().filter((a) =>
      [ERIK_LAPTOP, ERIK_PHONE].includes(a.context.participantKey!),
    );
    expect(erik.map((a) => [a.rule, a.context.participantKey])).toEqual([['audio-loss-high', ERIK_PHONE]]);
    expect(erik[0]!.context.participant).toBe('Erik Berg (iOS)');
    expect(erik[0]!.annotations.summary).toContain("Erik Berg's (iOS) audio loss is");
  });

  it('fires nothing for healthy participants', () => {
    const unexpected = participantAlerts().filter(
      (a) =>
        a.context.dataCenter !== 'AM' &&
        !CAROL.includes(a.context.participantKey!) &&
        a.context.participantKey !== ERIK_PHONE,
    );
    expect(unexpected.map((a) => `${a.rule} ${a.context.participant}`)).toEqual([]);
  });
});
