import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SampleDeduplicator } from '../../src/normalize/dedup.js';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import type { InstanceRef } from '../../src/normalize/sample.js';
import { NormalizeStats } from '../../src/normalize/stats.js';

const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/zoom-samples/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const meeting: InstanceRef = { kind: 'meeting', id: '1', uuid: 'u==', topic: 't' };

describe("normalizing Zoom's documented examples", () => {
  it('single participant QoS: every stream, in base units', () => {
    const stats = new NormalizeStats();
    const [s] = normalizeParticipant(meeting, sample('meeting-participant-qos.json'), {}, stats);
    expect(s!.participant.key).toBe('1670000000');
    expect(s!.time).toBe(Date.parse('2021-06-24T20:00:00Z'));
    expect(s!.streams.audio_input).toEqual({
      bitrate: 23000,
      latency: 0.126,
      jitter: 0.006,
      avgLoss: 0.003,
      maxLoss: 0.019,
    });
    expect(s!.streams.video_input).toMatchObject({
      width: 1280,
      height: 720,
      frameRate: 12,
      bitrate: 1_055_000,
    });
    expect(s!.streams.as_input!.frameRate).toBeUndefined(); // "" is missing, not 0
    expect(s!.streams.as_input!.width).toBeUndefined(); // "0*0" is no picture
    expect(s!.cpu).toEqual({ zoomMin: 0.08, zoomAvg: 0.12, zoomMax: 0.18, systemMax: 0.4 });
    expect(s!.context).toMatchObject({
      device: 'Android',
      location: 'San Jose (US)',
      version: '4.4.55383.0726',
    });
    expect(stats.valuesMissing.get('frame_rate')).toBe(2);
    expect(stats.valuesMissing.get('resolution')).toBe(2);
  });

  const table = [
    {
      name: 'webinar participants QoS',
      file: 'webinar-participants-qos.json',
      key: 'participants',
      samples: 1,
    },
    {
      name: 'Video SDK session users QoS',
      file: 'videosdk-session-users-qos.json',
      key: 'users',
      samples: 2,
      kind: 'session' as const,
    },
    {
      name: 'webinar QoS summary (placeholders)',
      file: 'webinar-participants-qos-summary.json',
      key: 'participants',
      samples: 0,
    },
  ];
  it.each(table)(
    '$name: parses what it can, counts the rest, never throws',
    ({ file, key, samples, kind }) => {
      const stats = new NormalizeStats();
      const body = sample(file);
      const ref = { ...meeting, kind: kind ?? meeting.kind };
      const out = (body[key] as unknown[]).flatMap((p) => normalizeParticipant(ref, p, {}, stats));
      expect(out.length).toBeGreaterThanOrEqual(samples);
      for (const s of out) {
        expect(Number.isFinite(s.time)).toBe(true);
        for (const m of Object.values(s.streams))
          for (const v of Object.values(m)) expect(Number.isFinite(v)).toBe(true);
      }
    },
  );

  it('takes Video SDK context (network type, data center) from the QoS answer itself', () => {
    const stats = new NormalizeStats();
    const users = sample('videosdk-session-users-qos.json').users as unknown[];
    const [s] = normalizeParticipant({ ...meeting, kind: 'session' }, users[0], {}, stats);
    expect(s!.participant).toMatchObject({ key: '1670000000', name: 'User' });
    expect(s!.context).toMatchObject({ networkType: 'Wifi', dataCenter: 'SC', connectionType: 'P2P' });
  });
});

describe('robustness', () => {
  it('ignores unknown streams and fields, skips samples without a date', () => {
    const stats = new NormalizeStats();
    const out = normalizeParticipant(
      meeting,
      {
        id: '',
        user_id: '42',
        user_qos: [
          {
            date_time: '2026-01-01T00:00:00Z',
            hologram_input: { latency: '5 ms' },
            audio_input: { latency: '80ms', warp: 9 },
            cpu_pressure_level: 'serious',
            wifi_rssi: { avg_rssi: -70 },
          },
          { audio_input: { latency: '80ms' } },
          'nonsense',
        ],
      },
      { dataCenter: 'NY' },
      stats,
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.participant.key).toBe('42'); // no id: the per-meeting user_id
    expect(out[0]!.streams).toEqual({ audio_input: { latency: 0.08 } });
    expect(out[0]!.cpuPressure).toEqual({ min: 'serious', avg: 'serious', max: 'serious' }); // a bare word: all three
    expect(out[0]!.wifi).toEqual({ avg: -70 });
    expect(out[0]!.context.dataCenter).toBe('NY');
    expect(stats.unknownStreams.get('hologram_input')).toBe(1);
    expect(stats.samplesInvalid).toBe(2);
  });

  it('reads the crc and rwg stream variants', () => {
    const stats = new NormalizeStats();
    const [s] = normalizeParticipant(
      meeting,
      {
        user_id: '7',
        user_qos: [
          {
            date_time: '2026-01-01T00:00:00Z',
            audio_device_from_crc: { latency: '90 ms' },
            video_device_to_rwg: { frame_rate: '15 fps' },
          },
        ],
      },
      {},
      stats,
    );
    expect(s!.streams).toEqual({
      audio_device_from_crc: { latency: 0.09 },
      video_device_to_rwg: { frameRate: 15 },
    });
  });

  it('de-duplicates by participant and date_time and hands samples on in time order', () => {
    const stats = new NormalizeStats();
    const raw = (times: string[]): unknown => ({
      user_id: '1',
      user_qos: times.map((t) => ({ date_time: t, audio_input: { latency: '1ms' } })),
    });
    const dedup = new SampleDeduplicator(3_600_000);
    const now = Date.parse('2026-01-01T00:10:00Z');
    const first = dedup.filter(
      normalizeParticipant(meeting, raw(['2026-01-01T00:02:00Z', '2026-01-01T00:01:00Z']), {}, stats),
      now,
    );
    expect(first.map((s) => new Date(s.time).toISOString().slice(11, 16))).toEqual(['00:01', '00:02']);
    const second = dedup.filter(
      normalizeParticipant(meeting, raw(['2026-01-01T00:02:00Z', '2026-01-01T00:03:00Z']), {}, stats),
      now,
    );
    expect(second.map((s) => new Date(s.time).toISOString().slice(11, 16))).toEqual(['00:03']);
  });
});
