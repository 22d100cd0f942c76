import type { QosSample } from '../../src/normalize/sample.js';
import { attachNumbers, numbersOf, sampleNumbers } from '../../src/normalize/sample-numbers.js';

/**
 * A sample as the normalizer hands it on: with its numbers (normalize/sample-numbers.ts), which
 * the normalizer writes while it reads the values (its cost is in cycle.bench.ts's figures).
 */
export function normalized(s: QosSample): QosSample {
  attachNumbers(s, numbersOf(s));
  return s;
}

/**
 * The same participant's sample at another minute with the same values, as the normalizer would
 * hand it on: a new sample object with new numbers (a copy of the earlier sample's, which are
 * what the normalizer would write again: numbersOf reads them out of the objects 20x slower).
 */
export function again(s: QosSample, time: number): QosSample {
  const next = { ...s, time };
  attachNumbers(next, sampleNumbers(s)?.slice() ?? numbersOf(next));
  return next;
}

/**
 * `instances` meetings of `perInstance` participants, one sample each at `time`, with every
 * usual stream, as the normalizer hands them on. A share `degraded` of the participants breach
 * most default thresholds.
 */
export function samples(instances: number, perInstance: number, time: number, degraded = 0.05): QosSample[] {
  const out: QosSample[] = [];
  for (let i = 0; i < instances; i++) {
    const instance = {
      kind: 'meeting' as const,
      id: String(80_000_000_000 + i),
      uuid: `m${i}==`,
      topic: `Meeting ${i}`,
    };
    for (let p = 0; p < perInstance; p++) {
      const spread = ((i * 31 + p * 17) % 100) / 100;
      const bad = spread < degraded;
      // Healthy: well under the thresholds; degraded: over them.
      const jitter = bad ? 0.8 + spread * 0.2 : spread * 0.5;
      const stream = {
        latency: 0.05 + jitter * 0.4,
        jitter: 0.002 + jitter * 0.05,
        avgLoss: jitter * 0.08,
        maxLoss: jitter * 0.12,
        bitrate: 40_000 + jitter * 20_000,
      };
      out.push(
        normalized({
          instance,
          participant: { key: `u${i}-${p}`, name: `Person ${p}`, email: '', ip: '' },
          context: {
            dataCenter: ['SC', 'NY', 'AM'][p % 3]!,
            networkType: p % 2 ? 'Wifi' : 'Wired',
            device: 'Mac',
            location: 'X',
            version: '6.2.5',
          },
          time,
          streams: {
            audio_input: stream,
            audio_output: stream,
            video_input: {
              ...stream,
              bitrate: 1_000_000,
              frameRate: 25 - jitter * 20,
              width: 1280,
              height: 720,
            },
            video_output: { ...stream, bitrate: 800_000, frameRate: 25, width: 640, height: 360 },
          },
          cpu: { zoomAvg: 0.1 + jitter * 0.8, zoomMax: 0.2 + jitter * 0.8, systemMax: 0.5 },
          wifi: { avg: -50 - jitter * 40 },
        }),
      );
    }
  }
  return out;
}
