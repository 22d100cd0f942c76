import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import {
  attachNumbers,
  JOIN_ROOM,
  numbersAt,
  numbersChunk,
  numbersOf,
  sampleNumbers,
} from '../../src/normalize/sample-numbers.js';
import { NormalizeStats } from '../../src/normalize/stats.js';

/*
 * A sample's numbers (normalize/sample-numbers.ts) are what the rule engine reads instead of
 * the sample's objects: written by the normalizer as it reads the values, they must say what
 * the objects say (numbersOf, what the engine reads a sample without numbers as; the engine's
 * tables and its property test judge those).
 */

const ROOT = fileURLToPath(new URL('../fixtures/zoom-samples/', import.meta.url));
type Raw = Record<string, unknown>;
const allFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
const meeting = { kind: 'meeting' as const, id: '1', uuid: 'u==', topic: 't' };

describe('a sample’s numbers', () => {
  it('are written by the normalizer as its objects hold the values, for every example Zoom printed', () => {
    let checked = 0;
    for (const file of allFiles(ROOT)) {
      const body = JSON.parse(readFileSync(file, 'utf8')) as Raw;
      const list = (body.participants ?? body.users ?? [body]) as unknown[];
      if (!Array.isArray(list)) continue;
      // Video SDK users (an array `users`) are keyed by their per-session `id`.
      const ref = body.users ? { ...meeting, kind: 'session' as const } : meeting;
      for (const p of list)
        for (const s of normalizeParticipant(ref, p, {}, new NormalizeStats())) {
          expect(sampleNumbers(s), relative(ROOT, file)).toEqual(numbersOf(s));
          checked++;
        }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('cover bare Wi-Fi and CPU pressure values, level words, streams without a usable value and unknown streams', () => {
    const raw = {
      user_id: 'p1',
      user_qos: [
        {
          date_time: '2026-03-02T12:00:00Z',
          video_output: { frame_rate: '12 fps', latency: '' },
          audio_input: { latency: '120ms', jitter: '5 ms', avg_loss: '1.5%', bitrate: '30 kbps' },
          hologram_input: { latency: '5ms' },
          as_input: { latency: 'n/a' },
          wifi_rssi: -61,
          cpu_pressure_level: 'serious',
          cpu_usage: { zoom_avg_cpu_usage: '12%', system_max_cpu_usage: '' },
        },
      ],
    };
    const [s] = normalizeParticipant(meeting, raw, {}, new NormalizeStats());
    expect(Object.keys(s!.streams)).toEqual(['video_output', 'audio_input']);
    expect(sampleNumbers(s!)).toEqual(numbersOf(s!));
    expect(sampleNumbers(s!)![0]).toBe(2); // two streams with values, in the sample's order
  });

  it('are not carried by a copy of the sample (its streams may differ), nor seen by JSON or deep equality', () => {
    const [s] = normalizeParticipant(
      meeting,
      { user_id: 'p1', user_qos: [{ date_time: '2026-03-02T12:00:00Z', audio_input: { latency: '120ms' } }] },
      {},
      new NormalizeStats(),
    );
    expect(sampleNumbers(s!)).toBeDefined();
    expect(sampleNumbers({ ...s! })).toBeUndefined();
    expect(JSON.stringify(s)).not.toContain('NaN');
    expect(s).toEqual({ ...s! });
  });

  it('of samples normalized one after another are one after another in one chunk, not an array each', () => {
    const entry = (t: string): Raw => ({
      date_time: t,
      audio_input: { latency: '120ms' },
      video_input: { frame_rate: '20 fps' },
    });
    const stats = new NormalizeStats();
    const samples = ['p1', 'p2', 'p3'].flatMap((user_id) =>
      normalizeParticipant(
        meeting,
        { user_id, user_qos: [entry('2026-03-02T12:00:00Z'), entry('2026-03-02T12:01:00Z')] },
        {},
        stats,
      ),
    );
    expect(samples).toHaveLength(6);
    // Each starts where the one before ends, unless it starts a new chunk (at its start).
    let together = 0;
    for (let i = 1; i < samples.length; i++) {
      const [a, b] = [samples[i - 1]!, samples[i]!];
      expect(numbersChunk(b)!.slice(numbersAt(b), numbersAt(b) + sampleNumbers(b)!.length)).toEqual(
        numbersOf(b),
      );
      // Before each sample's numbers, room for its join's row and version (JOIN_ROOM).
      if (numbersChunk(a) !== numbersChunk(b)) expect(numbersAt(b)).toBe(JOIN_ROOM);
      else {
        expect(numbersAt(b)).toBe(numbersAt(a) + sampleNumbers(a)!.length + JOIN_ROOM);
        together++;
      }
    }
    expect(together).toBeGreaterThanOrEqual(4); // at most one chunk boundary among six small samples
  });

  it('given none, are those of a sample without values', () => {
    const s = {
      instance: meeting,
      participant: { key: 'p', name: '', email: '', ip: '' },
      context: {},
      time: 0,
      streams: {},
    };
    attachNumbers(s, []);
    expect(sampleNumbers(s)).toEqual(numbersOf(s));
  });
});
