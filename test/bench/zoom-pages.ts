import { qosItem } from '../../src/simulator/responses.js';
import { scenarioFrom, type RawScenario } from '../../src/simulator/scenario.js';
import type { Scenario, SimInstance } from '../../src/simulator/scenario-types.js';
import { World } from '../../src/simulator/world.js';

export const START = Date.parse('2026-11-20T10:00:00Z');
export const MINUTE = 60_000;

/**
 * `meetings` live meetings of `perMeeting` participants each, all day long, in the simulator's
 * newer answer shape (context in the entry: no participants calls). One meeting in 20 has a
 * network episode (every participant over the latency, loss and jitter thresholds).
 */
export function bigScenario(meetings: number, perMeeting: number): Scenario {
  return scenarioFrom(bigScenarioRaw(meetings, perMeeting), START);
}

/** bigScenario's scenario as a scenario file would hold it (JSON: for a simulator in another process). */
export function bigScenarioRaw(meetings: number, perMeeting: number): RawScenario {
  const list = Array.from({ length: meetings }, (_, i) => ({
    id: 90_000_000_000 + i,
    // Explicit UUIDs, readable in the bench's output.
    uuid: `bench${String(i).padStart(6, '0')}xxxxxxxxxx==`,
    topic: `Bench meeting ${i}`,
    start: '0m',
    end: '2000m',
    crowd: { count: perMeeting },
  }));
  return {
    name: 'bench',
    seed: 16,
    meetings: list,
    episodes: list
      .filter((_, i) => i % 20 === 7)
      .map((m) => ({
        where: { instance: m.id },
        from: '0m',
        to: '2000m',
        audio: { latency: '450ms', jitter: '60ms', avg_loss: '9%' },
      })),
  };
}

export interface QosPages {
  instance: SimInstance;
  /** The bodies of the QoS list, pages of 10 participants, exactly as JSON on the wire. */
  bodies: string[];
}

/** What the live QoS list of every meeting answers at `now` (each entry: the last QoS window's minutes). */
export function qosPages(scenario: Scenario, now: number): QosPages[] {
  const world = new World(scenario);
  return world.liveInstances('meeting', now).map((instance) => {
    const items = world.inQosList(instance, now).map((p) => qosItem(world, instance, p, now));
    const bodies: string[] = [];
    for (let i = 0; i < items.length; i += 10)
      bodies.push(
        JSON.stringify({
          page_size: 10,
          total_records: items.length,
          next_page_token: i + 10 < items.length ? `t${i}` : '',
          participants: items.slice(i, i + 10),
        }),
      );
    return { instance, bodies };
  });
}

export const bytesOf = (pages: QosPages[]): number =>
  pages.reduce((n, p) => n + p.bodies.reduce((m, b) => m + Buffer.byteLength(b), 0), 0);
