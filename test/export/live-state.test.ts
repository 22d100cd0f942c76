import { describe, expect, it } from 'vitest';
import { SAMPLE_METRICS, STREAM_METRICS } from '../../src/export/collectors/aggregates.js';
import { LiveState } from '../../src/export/live-state.js';
import { QualitySeries } from '../../src/export/collectors/quality.js';
import { METRICS } from '../../src/evaluate/metrics.js';
import { QUALITY_LEVELS } from '../../src/normalize/values.js';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import { sampleNumbers } from '../../src/normalize/sample-numbers.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { sample } from '../helpers/rules.js';

const audio = { latency: 0.123, jitter: 0.0171, avgLoss: 0.031, maxLoss: 0.09, bitrate: 41_234 };
const video = { ...audio, frameRate: 24.5, width: 1280, height: 720 };

describe('the live state', () => {
  it("keeps each exported value of a participant's newest sample, read once on arrival", () => {
    const live = new LiveState();
    const s = sample(
      'ann',
      3,
      { audio_input: audio, video_output: video },
      {
        cpu: { zoomAvg: 0.25, zoomMax: 0.5, systemMax: 0.75 },
        wifi: { avg: -61 },
        cpuPressure: { min: 'nominal', avg: 'serious', max: 'critical' },
      },
    );
    live.handle({ type: 'samples', samples: [s] });
    const p = live.instances.get('meeting:m1')!.participants.get('ann')!;
    expect(p.time).toBe(s.time);
    expect(p.streams).toEqual(['audio_input', 'video_output']);
    // Every stream metric: the sample's value times the metric's scale; absent where the sample has none.
    STREAM_METRICS.forEach((def, i) => {
      for (const [j, stream] of (['audio_input', 'video_output'] as const).entries()) {
        const raw = (s.streams[stream] as Record<string, number | undefined>)[def.field.key];
        expect(p.streamValue(j, i), `${stream} ${def.name}`).toBe(
          raw === undefined ? undefined : raw * def.scale,
        );
      }
    });
    expect(p.valueOf('audio_input', 'latency')).toBe(0.123);
    expect(p.valueOf('video_output', 'frameRate')).toBe(24.5);
    expect(p.valueOf('audio_input', 'frameRate')).toBeUndefined();
    expect(p.valueOf('as_input', 'latency')).toBeUndefined();
    // Per-sample metrics: CPU ratios, Wi-Fi dBm, pressure words as their level (0 best).
    const byName = Object.fromEntries(SAMPLE_METRICS.map((d, i) => [d.name, p.sampleValue(i)]));
    expect(byName).toMatchObject({
      qoswatch_cpu_pressure_min_level: 0,
      qoswatch_cpu_pressure_level: 3, // nominal, normal, fair, serious, critical
    });
    expect(Object.values(byName)).toEqual(expect.arrayContaining([0.25, 0.5, 0.75, -61]));
    // The sample is not kept: what rules and /api/v1/instances/<id> read of it is rebuilt (pressure words as their level).
    expect(p.asSample(s.instance, 'ann')).toEqual({ ...s, cpuPressure: { min: 0, avg: 3, max: 4 } });
  });

  it('rebuilds what every rule metric reads of a sample to the bit, unexported ones (quality) included', () => {
    const live = new LiveState();
    // Values of all sizes and fractions (bitrate is exported scaled by 1/8), a pushed verdict, a stream without it.
    const odd = (i: number): number => (i * 7919.123456789) / 3 ** (i % 7);
    const s = sample(
      'bob',
      4,
      {
        audio_input: { ...audio, bitrate: odd(5), latency: odd(1), quality: 'poor', qualityScore: 2.5 },
        video_input: { ...video, bitrate: 1e-300 * odd(3), jitter: odd(2), quality: 'good' },
        as_input: { frameRate: odd(4) },
      },
      { cpu: { zoomMin: 0.1, systemMax: odd(6) / 1e4 }, wifi: { min: -80, max: -40 } },
    );
    live.handle({ type: 'samples', samples: [s] });
    const again = live.instances.get('meeting:m1')!.participants.get('bob')!.asSample(s.instance, 'bob');
    let read = 0;
    for (const m of METRICS)
      for (const stream of m.perStream ? ['audio_input', 'video_input', 'as_input'] : [undefined]) {
        const v = m.read(s, stream);
        if (v !== undefined) read++;
        expect(m.read(again, stream), `${m.name} ${stream}`).toBe(v);
      }
    expect(read).toBeGreaterThan(20);
    expect(again.streams.video_input!.quality).toBe(QUALITY_LEVELS.indexOf('good'));
    expect(again.streams.as_input).toEqual({ frameRate: odd(4) });
    expect(again.context).toEqual(s.context);
  });

  it("keeps the same values read from a sample's numbers as from its objects (a copy has no numbers)", () => {
    const entry = (minute: number, quality: string): Record<string, unknown> => ({
      date_time: `2026-03-02T12:0${minute}:00Z`,
      video_output: { frame_rate: '12 fps', latency: '', bitrate: '1.5 Mbps' },
      audio_input: { latency: '120ms', jitter: '5 ms', avg_loss: '1.5%', bitrate: '30 kbps', quality },
      as_input: { latency: 'n/a' },
      hologram_input: { latency: '5ms' },
      wifi_rssi: -61,
      cpu_pressure_level: 'serious',
      cpu_usage: { zoom_avg_cpu_usage: '12%', system_max_cpu_usage: '' },
    });
    const meeting = { kind: 'meeting' as const, id: '1', uuid: 'u==', topic: 't' };
    // Three samples: with an unexported value (quality), without it and fewer streams, with it again.
    const raw = {
      user_id: 'p1',
      user_qos: [
        entry(1, 'good'),
        { ...entry(2, 'poor'), audio_input: { latency: '80 ms' }, as_input: {} },
        entry(3, 'poor'),
      ],
    };
    const samples = normalizeParticipant(meeting, raw, {}, new NormalizeStats());
    expect(samples).toHaveLength(3);
    const fromNumbers = new LiveState();
    const fromObjects = new LiveState();
    const counts: number[] = [];
    for (const s of samples) {
      expect(sampleNumbers(s)).toBeDefined();
      fromNumbers.handle({ type: 'samples', samples: [s] });
      fromObjects.handle({ type: 'samples', samples: [{ ...s }] });
      const a = fromNumbers.instances.get('meeting:u==')!.participants.get('p1')!;
      const b = fromObjects.instances.get('meeting:u==')!.participants.get('p1')!;
      expect(a.time).toBe(s.time);
      expect(a.streams).toBe(b.streams); // the shared list of names
      expect(a.values).toEqual(b.values);
      counts.push(a.values.filter((v) => !Number.isNaN(v)).length);
    }
    expect(counts[0]).toBeGreaterThan(counts[1]!);
    expect(counts[2]).toBe(counts[0]);
  });

  it('lets the newest sample win, in or across batches, whatever their order; of equal times the later', () => {
    const live = new LiveState();
    const at = (m: number, latency: number) => sample('ann', m, { audio_input: { ...audio, latency } });
    const latency = (): number | undefined =>
      live.instances.get('meeting:m1')!.participants.get('ann')!.valueOf('audio_input', 'latency');
    live.handle({ type: 'samples', samples: [at(2, 0.2), at(5, 0.5), at(1, 0.1)] });
    expect(latency()).toBe(0.5);
    live.handle({ type: 'samples', samples: [at(4, 0.4)] });
    expect(latency()).toBe(0.5);
    live.handle({ type: 'samples', samples: [at(5, 0.55), at(5, 0.56), at(3, 0.3)] });
    expect(latency()).toBe(0.56);
    const v = live.instances.get('meeting:m1')!.version;
    live.handle({ type: 'samples', samples: [at(4, 0.44)] });
    expect(live.instances.get('meeting:m1')!.version).toBe(v); // an older sample changes nothing
  });

  it("writes a participant's next sample over the last, and what is rendered from it follows", () => {
    const live = new LiveState();
    const series = new QualitySeries(live, {
      topicLabel: false,
      participantSeries: true,
      participantIdentity: true,
    });
    const line = (): string | undefined =>
      series
        .text()
        .split('\n')
        .find(
          (l) => l.startsWith('qoswatch_participant_latency_seconds{') && l.includes('stream="audio_input"'),
        );
    live.handle({
      type: 'samples',
      samples: [sample('ann', 1, { audio_input: { ...audio, latency: 0.1 } })],
    });
    const first = live.instances.get('meeting:m1')!.participants.get('ann')!;
    const values = first.values;
    expect(line()).toMatch(/ 0\.1$/);
    // The same streams: the same object and values array, nothing new per minute.
    live.handle({
      type: 'samples',
      samples: [sample('ann', 2, { audio_input: { ...audio, latency: 0.2 } })],
    });
    const second = live.instances.get('meeting:m1')!.participants.get('ann')!;
    expect(second).toBe(first);
    expect(second.values).toBe(values);
    expect(line()).toMatch(/ 0\.2$/);
    // Other streams: the values are laid out anew; a value the new sample lacks is gone.
    live.handle({ type: 'samples', samples: [sample('ann', 3, { video_output: video })] });
    expect(second.streams).toEqual(['video_output']);
    expect(second.valueOf('video_output', 'frameRate')).toBe(24.5);
    expect(line()).toBeUndefined();
    live.handle({
      type: 'samples',
      samples: [sample('ann', 4, { audio_input: { ...audio, latency: 0.4 } })],
    });
    expect(second.valueOf('video_output', 'frameRate')).toBeUndefined();
    expect(line()).toMatch(/ 0\.4$/);
  });

  it('gives back the IP address of each sample as it came, whether kept as a number or as text', () => {
    const live = new LiveState();
    const ips = ['10.0.12.34', '203.0.113.255', '255.255.255.255', '0.0.0.0', '128.1.2.3', '', '010.0.0.1'];
    const more = [
      '1.2.3.256',
      '1.2.3',
      '1.2.3.4.5',
      '1..2.3',
      '2001:db8::1',
      ' 1.2.3.4',
      '1.2.3.4 ',
      'a.b.c.d',
    ];
    const all = [...ips, ...more];
    const withIp = (p: string, m: number, ip: string): QosSample => {
      const s = sample(p, m, { audio_input: audio });
      s.participant.ip = ip;
      return s;
    };
    live.handle({ type: 'samples', samples: all.map((ip, i) => withIp(`p${i}`, 1, ip)) });
    const participants = live.instances.get('meeting:m1')!.participants;
    all.forEach((ip, i) => expect(participants.get(`p${i}`)!.ip, JSON.stringify(ip)).toBe(ip));
    expect(participants.get('p0')!.asSample(sample('p0', 1, {}).instance, 'p0').participant.ip).toBe(all[0]);
    // A participant's next sample with another address, and back: each read as it came.
    for (const [m, next] of [
      [2, '10.0.12.35'],
      [3, '2001:db8::1'],
      [4, '10.0.12.34'],
    ] as const) {
      live.handle({ type: 'samples', samples: [withIp('p0', m, next)] });
      expect(participants.get('p0')!.ip).toBe(next);
    }
  });
});
