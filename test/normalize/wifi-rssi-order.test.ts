import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import { normalizeWebhook } from '../../src/normalize/qos-items.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { MIN, rulesFrom } from '../helpers/rules.js';

type Raw = Record<string, unknown>;
const load = (rel: string): Raw =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/zoom-samples/zoomnet/${rel}`, import.meta.url), 'utf8'),
  ) as Raw;

/** Zoom's endpoint samples: `max_rssi: -75, avg_rssi: -69, min_rssi: -35` (its "min" the stronger signal). */
function endpointSample(): QosSample {
  const body = load('endpoints/metrics-meetings-{meetingId}-participants-qos_GET.json');
  const inst = { kind: 'meeting', id: '1', uuid: 'u1', topic: 'T' } as const;
  return normalizeParticipant(inst, (body.participants as unknown[])[0], {}, new NormalizeStats())[0]!;
}

/** The QSS webhook sample: `min_rssi: -56, avg_rssi: -50, max_rssi: -44`. */
const webhookSample = (): QosSample =>
  normalizeWebhook(load('webhooks/meeting.participant_qos.json'), new NormalizeStats())!.samples[0]!;

const rules = rulesFrom([
  { name: 'weak-wifi', metric: 'wifi_rssi_min', when: 'below', threshold: '-70dBm', for: '0s' },
  { name: 'strong-peak', metric: 'wifi_rssi_max', when: 'above', threshold: '-40dBm', for: '0s' },
]);

/** The rules that fire on a sample as the normalizer made it (its numbers are what rules read). */
function firing(s: QosSample): string[] {
  const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
  engine.handle({ type: 'samples', samples: [s] });
  return engine
    .active()
    .filter((a) => a.state === 'firing')
    .map((a) => a.rule)
    .sort();
}

describe("wifi_rssi min and max, whichever order Zoom's sample gives them (Zoom's sample files)", () => {
  it('the endpoints shape: min is the lower (-75), max the higher (-35); `wifi_rssi_min below -70dBm` fires', () => {
    const s = endpointSample();
    expect(s.wifi).toEqual({ min: -75, avg: -69, max: -35 });
    // Old code: min -35, max -75: neither rule fired.
    expect(firing(s)).toEqual(['strong-peak', 'weak-wifi']);
  });

  it('the QSS webhook shape, already in order, is read as it is', () => {
    const s = webhookSample();
    expect(s.wifi).toEqual({ min: -56, avg: -50, max: -44 });
    expect(firing(s)).toEqual([]);
  });
});
