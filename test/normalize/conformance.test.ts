import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIELDS, NOT_READ } from '../../src/normalize/catalog.js';
import { contextFromRaw, normalizeParticipant } from '../../src/normalize/normalize.js';
import { normalizeSummary, normalizeWebhook } from '../../src/normalize/qos-items.js';
import type { InstanceRef, QosSample } from '../../src/normalize/sample.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { STREAM_BY_NAME, STREAMS } from '../../src/normalize/streams.js';

/**
 * Every example response Zoom printed (the seed pages' copies and ZoomNet's newer ones, copied
 * into test/fixtures/zoom-samples/) through the normalizer, with the values expected in base
 * units written out by hand from the samples and Zoom's spec, never from our simulator.
 */

const ROOT = fileURLToPath(new URL('../fixtures/zoom-samples/', import.meta.url));
type Raw = Record<string, unknown>;
const load = (rel: string): Raw => JSON.parse(readFileSync(join(ROOT, rel), 'utf8')) as Raw;
const allFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? allFiles(join(dir, e.name))
      : e.name.endsWith('.json')
        ? [relative(ROOT, join(dir, e.name))]
        : [],
  );
const EP = 'zoomnet/endpoints/';
const WH = 'zoomnet/webhooks/';
const meeting: InstanceRef = { kind: 'meeting', id: '1', uuid: 'u==', topic: 't' };
const session: InstanceRef = { ...meeting, kind: 'session' };

/** The context of each entry of a participants (or users) list. */
const contextsOf = (rel: string): ReturnType<typeof contextFromRaw>[] => {
  const body = load(rel);
  return ((body.participants ?? body.users) as Raw[]).map(contextFromRaw);
};

function samplesOf(body: Raw, stats = new NormalizeStats(), inst = meeting): QosSample[] {
  const list = (body.participants ?? body.users ?? [body]) as unknown[];
  return list.flatMap((p) => normalizeParticipant(inst, p, {}, stats));
}

// --- The values Zoom's examples hold, in base units ---
const SEED_QOS = {
  audio_input: { bitrate: 23_000, latency: 0.126, jitter: 0.006, avgLoss: 0.003, maxLoss: 0.019 },
  audio_output: { bitrate: 63_000, latency: 0.134, jitter: 0.006, avgLoss: 0, maxLoss: 0 },
  video_input: {
    ...{ bitrate: 1_055_000, latency: 0.129, jitter: 0.011, avgLoss: 0, maxLoss: 0.049 },
    ...{ width: 1280, height: 720, frameRate: 12 },
  },
  video_output: {
    ...{ bitrate: 673_000, latency: 0.135, jitter: 0.011, avgLoss: 0, maxLoss: 0 },
    ...{ width: 640, height: 360, frameRate: 22 },
  },
  // "0*0" is no picture and "" no frame rate: missing, not 0.
  as_input: { bitrate: 70_000, latency: 0.135, jitter: 0.008, avgLoss: 0, maxLoss: 0 },
  as_output: { bitrate: 70_000, latency: 0.135, jitter: 0.008, avgLoss: 0, maxLoss: 0 },
};
const SEED_CPU = { zoomMin: 0.08, zoomAvg: 0.12, zoomMax: 0.18, systemMax: 0.4 };

/** ZoomNet's meeting and webinar QoS: every one of the 18 stream objects holds the same values. */
function zoomnetStreams(): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const s of STREAMS) {
    const base = { bitrate: 27_150, latency: 0.126, jitter: 0, avgLoss: 0.0003, maxLoss: 0.004 };
    if (s.name.startsWith('video_device_from_')) base.maxLoss = 0.0003; // "0.03%" in the sample
    out[s.name] = s.media === 'audio' ? base : { ...base, frameRate: 12, width: 1280, height: 720 };
  }
  return out;
}
const ZOOMNET_CPU = { zoomMin: 0, zoomAvg: 0, zoomMax: 0.02, systemMax: 0.11 };
const NORMAL = { min: 'normal', avg: 'normal', max: 'normal' };
// Printed `max_rssi: -75, min_rssi: -35` (Zoom's "min" the stronger signal): the lower is the
// minimum. Old code: min -35, max -75, and `wifi_rssi_min below -70dBm` never fired.
const ZOOMNET_WIFI = { min: -75, avg: -69, max: -35 };
const ZOOMNET_ENTRY_CONTEXT = {
  device: 'Phone',
  client: 'Web Meeting SDK 2.18',
  location: 'United States',
  version: '5.9.1.2581',
  os: 'iOS',
  osVersion: '16.5',
  browser: 'Firefox',
  browserVersion: '133',
  videoConnectionType: 'UDP',
  shareConnectionType: 'UDP',
  networkType: 'Wired',
  connectionType: 'UDP',
  health: 'Warning',
  issueList: 'audio',
};

/** Videosdk users-qos (ZoomNet): one sample, "23 kbps" (share in "23 Kbps") everywhere. */
function videoSdkStreams(names: string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const n of names) {
    const base = { bitrate: 23_000, latency: 0.126, jitter: 0.006, avgLoss: 0.003, maxLoss: 0.019 };
    out[n] = n.startsWith('audio') ? base : { ...base, frameRate: 12, width: 1280, height: 720 };
  }
  return out;
}
const SDK_STREAMS = [
  ...['audio_input', 'audio_output', 'video_input', 'video_output', 'as_input', 'as_output'],
  ...['audio', 'video', 'as'].flatMap((m) => [`${m}_device_from_rwg`, `${m}_device_to_rwg`]),
];

const SUMMARY_AUDIO_INPUT = {
  bitrate: { min: 27_150, avg: 27_150, max: 27_150 },
  latency: { min: 0.126, avg: 0.126, max: 0.126 },
  jitter: { min: 0, avg: 0, max: 0 },
  avgLoss: { min: 0.0003, avg: 0.0003 },
  maxLoss: { max: 0.004 },
  frameRate: { min: 12, avg: 12, max: 12 },
  width: { avg: 1280 },
  height: { avg: 720 },
};

const close = (got: unknown, want: unknown): void => {
  if (typeof want === 'number') expect(got).toBeCloseTo(want, 9);
  else if (want && typeof want === 'object') {
    expect(got, JSON.stringify(got)).toBeTypeOf('object');
    expect(Object.keys(got as object).sort()).toEqual(Object.keys(want).sort());
    for (const [k, v] of Object.entries(want)) close((got as Raw)[k], v);
  } else expect(got).toEqual(want);
};

/** What each file must give: a check per file; a new sample without one fails the first test. */
const CHECKS: Record<string, () => void> = {
  'meeting-participant-qos.json': () => {
    const stats = new NormalizeStats();
    const [s, ...rest] = samplesOf(load('meeting-participant-qos.json'), stats);
    expect(rest).toHaveLength(0);
    expect(s!.time).toBe(Date.parse('2021-06-24T20:00:00Z'));
    close(s!.streams, SEED_QOS);
    close(s!.cpu, SEED_CPU);
    expect(s!.cpuPressure).toBeUndefined();
    close(s!.context, { device: 'Android', location: 'San Jose (US)', version: '4.4.55383.0726' });
    expect(stats.valuesMissing.get('frame_rate')).toBe(2); // the two share streams' ""
    expect(stats.valuesMissing.get('resolution')).toBe(2); // "0*0", counted once per field
  },
  'webinar-participants-qos.json': () => {
    const [s, ...rest] = samplesOf(load('webinar-participants-qos.json'));
    expect(rest).toHaveLength(0);
    close(s!.streams, SEED_QOS);
    close(s!.cpu, SEED_CPU);
  },
  'videosdk-session-users-qos.json': () => {
    const out = samplesOf(load('videosdk-session-users-qos.json'), new NormalizeStats(), {
      ...meeting,
      kind: 'session',
    });
    expect(out).toHaveLength(4); // two users, two samples each
    for (const s of out) {
      close(
        s.streams,
        videoSdkStreams([
          'audio_input',
          'audio_output',
          'video_input',
          'video_output',
          'as_input',
          'as_output',
        ]),
      );
      close(s.cpu, SEED_CPU);
      close(s.context, {
        device: 'Android',
        location: 'San Jose (US)',
        networkType: 'Wifi',
        dataCenter: 'SC',
        connectionType: 'P2P',
        microphone: 'Plantronics BT600',
        speaker: 'Plantronics BT600',
        camera: 'FaceTime HD Camera',
      });
    }
  },
  'meeting-participants.json': () => {
    const [a, b] = contextsOf('meeting-participants.json');
    close(a, {
      device: 'WIN',
      location: 'New York',
      networkType: 'Wired',
      microphone: 'Plantronics BT600',
      camera: 'FaceTime HD Camera',
      speaker: 'Plantronics BT600',
      dataCenter: 'SC',
      fullDataCenter: 'United States;United States (US03_SC CRC)',
      connectionType: 'P2P',
      shareApplication: 'false',
      shareDesktop: 'true',
      shareWhiteboard: 'true',
      recording: 'false',
      status: 'in_waiting_room',
      version: '4.4.55383.0716',
      leaveReason: 'Dojo left the meeting.<br>Reason: Host ended the meeting.',
      role: 'host',
    });
    expect(b).toMatchObject({ networkType: 'Wifi', connectionType: 'UDP', role: 'host' });
    expect(b!.status).toBeUndefined();
  },
  'webinar-participants-qos-summary.json': () => {
    // Placeholders ("<string>") everywhere: nothing is read, each is counted, nothing throws.
    const stats = new NormalizeStats();
    const out = (load('webinar-participants-qos-summary.json').participants as unknown[]).map((p) =>
      normalizeSummary(p, 'webinar', stats),
    );
    expect(out).toHaveLength(2);
    for (const s of out) expect(s!.streams).toEqual({});
    expect(stats.valuesUnreadable.get('min_bitrate')).toBe(4);
    expect(stats.valuesUnreadable.get('zoom_avg_cpu_usage')).toBe(4);
  },
  [`${EP}metrics-meetings-{meetingId}-participants-qos_GET.json`]: () => {
    const [s, ...rest] = samplesOf(load(`${EP}metrics-meetings-{meetingId}-participants-qos_GET.json`));
    expect(rest).toHaveLength(0);
    expect(s!.time).toBe(Date.parse('2022-03-01T10:16:00Z'));
    close(s!.streams, zoomnetStreams());
    close(s!.cpu, ZOOMNET_CPU);
    close(s!.cpuPressure, NORMAL);
    close(s!.wifi, ZOOMNET_WIFI);
    close(s!.context, {
      ...ZOOMNET_ENTRY_CONTEXT,
      dataCenter: 'United States (SC Top)',
      fullDataCenter: 'United States (SC Top);',
      ...{ shareApplication: 'true', shareDesktop: 'true', shareWhiteboard: 'true', recording: 'true' },
    });
  },
  [`${EP}metrics-webinars-{webinarId}-participants-qos_GET.json`]: () => {
    const [s] = samplesOf(load(`${EP}metrics-webinars-{webinarId}-participants-qos_GET.json`));
    close(s!.streams, zoomnetStreams());
    close(s!.cpuPressure, NORMAL);
    close(s!.wifi, ZOOMNET_WIFI);
    close(s!.context, {
      ...ZOOMNET_ENTRY_CONTEXT,
      dataCenter: 'United States',
      fullDataCenter: 'United States;China (TJ RWG);',
      ...{ shareApplication: 'true', shareDesktop: 'true', shareWhiteboard: 'true', recording: 'true' },
    });
  },
  [`${EP}metrics-meetings-{meetingId}-participants-{participantId}-qos_GET.json`]: () => {
    const [s] = samplesOf(
      load(`${EP}metrics-meetings-{meetingId}-participants-{participantId}-qos_GET.json`),
    );
    close(s!.streams, zoomnetStreams());
    close(s!.cpu, ZOOMNET_CPU);
    close(s!.cpuPressure, NORMAL);
    close(s!.context, {
      ...ZOOMNET_ENTRY_CONTEXT,
      dataCenter: 'United States (SC Top)',
      fullDataCenter: 'United States (SC Top);',
      microphone: 'Microphone (2- High Definition Audio Device)',
      speaker: 'speaker (2- High Definition Audio Device)',
      camera: 'FaceTime HD Camera',
      ...{ shareApplication: 'false', shareDesktop: 'false', shareWhiteboard: 'false', recording: 'false' },
    });
  },
  [`${EP}metrics-webinars-{webinarId}-participants-{participantId}-qos_GET.json`]: () => {
    const [s] = samplesOf(
      load(`${EP}metrics-webinars-{webinarId}-participants-{participantId}-qos_GET.json`),
    );
    close(s!.streams, zoomnetStreams());
    close(s!.wifi, ZOOMNET_WIFI);
    expect(s!.context).toMatchObject({
      health: 'Warning',
      issueList: 'audio',
      recording: 'false',
      shareDesktop: 'true',
    });
  },
  [`${EP}metrics-meetings-{meetingId}-participants_GET.json`]: () => {
    const [c] = contextsOf(`${EP}metrics-meetings-{meetingId}-participants_GET.json`);
    expect(c).toMatchObject({
      audioQuality: 'good',
      videoQuality: 'good',
      screenShareQuality: 'good',
      camera: 'FaceTime HD Camera',
      dataCenter: 'United States (SC Top)',
      leaveReason: 'Host ended the meeting.',
      role: 'host',
      status: 'in_meeting',
      recording: 'false',
      shareDesktop: 'true',
      os: 'iOS',
      browser: 'Firefox',
      client: 'Web Meeting SDK 2.18',
    });
  },
  [`${EP}metrics-webinars-{webinarId}-participants_GET.json`]: () => {
    const [c] = contextsOf(`${EP}metrics-webinars-{webinarId}-participants_GET.json`);
    expect(c).toMatchObject({
      audioQuality: 'good',
      leaveReason: 'Host ended the webinar.',
      recording: 'true',
    });
    expect(c!.camera).toBeUndefined();
  },
  [`${EP}metrics-meetings-{meetingId}-participants-qos_summary_GET.json`]: () => {
    const p = (
      load(`${EP}metrics-meetings-{meetingId}-participants-qos_summary_GET.json`).participants as unknown[]
    )[0];
    const s = normalizeSummary(p, 'meeting', new NormalizeStats())!;
    close(s.streams, { audio_input: SUMMARY_AUDIO_INPUT });
    close(s.cpu, ZOOMNET_CPU);
    close(s.cpuPressure, NORMAL);
    // The join is `participant_id` (the `user_id` of the QoS answers), never the account `id`.
    expect(s.participant).toMatchObject({
      key: '20161536',
      join: '20161536',
      person: 'zJKyaiAyTNC-MWjiWC18KQ',
    });
  },
  [`${EP}metrics-webinars-{webinarId}-participants-qos_summary_GET.json`]: () => {
    const p = (
      load(`${EP}metrics-webinars-{webinarId}-participants-qos_summary_GET.json`).participants as unknown[]
    )[0];
    const s = normalizeSummary(p, 'webinar', new NormalizeStats())!;
    close(s.streams, { audio_input: SUMMARY_AUDIO_INPUT });
  },
  [`${EP}videosdk-sessions-{sessionId}-users-qos_summary_GET.json`]: () => {
    const u = (load(`${EP}videosdk-sessions-{sessionId}-users-qos_summary_GET.json`).users as unknown[])[0];
    const s = normalizeSummary(u, 'session', new NormalizeStats())!; // "27.15 Kbps" here
    close(s.streams, { audio_input: SUMMARY_AUDIO_INPUT });
    close(s.cpuPressure, NORMAL);
  },
  [`${EP}videosdk-sessions-{sessionId}-users-qos_GET.json`]: () => {
    const [s, ...rest] = samplesOf(
      load(`${EP}videosdk-sessions-{sessionId}-users-qos_GET.json`),
      new NormalizeStats(),
      session,
    );
    expect(rest).toHaveLength(0);
    close(s!.streams, videoSdkStreams(SDK_STREAMS));
    close(s!.cpu, SEED_CPU);
    close(s!.cpuPressure, NORMAL);
    close(s!.wifi, ZOOMNET_WIFI);
    expect(s!.context).toMatchObject({
      client: 'Web Meeting SDK 2.18',
      os: 'iOS',
      browser: 'Firefox',
      networkType: 'Wifi',
    });
  },
  [`${EP}videosdk-sessions-{sessionId}-users-{userId}-qos_GET.json`]: () => {
    const [s] = samplesOf(
      load(`${EP}videosdk-sessions-{sessionId}-users-{userId}-qos_GET.json`),
      new NormalizeStats(),
      session,
    );
    close(s!.streams, videoSdkStreams(SDK_STREAMS));
    close(s!.cpuPressure, NORMAL);
  },
  [`${EP}videosdk-sessions-{sessionId}-users_GET.json`]: () => {
    const [c] = contextsOf(`${EP}videosdk-sessions-{sessionId}-users_GET.json`);
    expect(c).toMatchObject({
      audioQuality: 'good',
      videoQuality: 'good',
      screenShareQuality: 'good',
      networkType: 'Wifi',
    });
  },
  // Instance lists and details: no participant fields; discovery reads them (test/poll, test/zoom).
  [`${EP}metrics-meetings_GET.json`]: () => instanceOnly(`${EP}metrics-meetings_GET.json`),
  [`${EP}metrics-webinars_GET.json`]: () => instanceOnly(`${EP}metrics-webinars_GET.json`),
  [`${EP}metrics-meetings-{meetingId}_GET.json`]: () =>
    instanceOnly(`${EP}metrics-meetings-{meetingId}_GET.json`),
  [`${EP}metrics-webinars-{webinarId}_GET.json`]: () =>
    instanceOnly(`${EP}metrics-webinars-{webinarId}_GET.json`),
  [`${EP}videosdk-sessions_GET.json`]: () => instanceOnly(`${EP}videosdk-sessions_GET.json`),
  [`${EP}videosdk-sessions-{sessionId}_GET.json`]: () =>
    instanceOnly(`${EP}videosdk-sessions-{sessionId}_GET.json`),
  [`${WH}meeting.participant_qos.json`]: () => {
    const w = normalizeWebhook(load(`${WH}meeting.participant_qos.json`), new NormalizeStats())!;
    expect(w.instance).toMatchObject({ kind: 'meeting', uuid: '4444AAAiAAAAAiAiAiiAii==' });
    expect(w.samples).toHaveLength(1);
    const s = w.samples[0]!;
    expect(s.time).toBe(Date.parse('2021-07-13T21:44:51Z'));
    close(s.streams, {
      audio_input: {
        bitrate: 63_000,
        latency: 0.134,
        jitter: 0.006,
        avgLoss: 0,
        maxLoss: 0,
        quality: 'good',
        qualityScore: 3.65,
      },
    });
    close(s.wifi, { min: -56, avg: -50, max: -44 });
  },
  [`${WH}webinar.participant_qos.json`]: () => {
    const w = normalizeWebhook(load(`${WH}webinar.participant_qos.json`), new NormalizeStats())!;
    expect(w.instance.kind).toBe('webinar');
    close(w.samples[0]!.streams, {
      audio_input: {
        bitrate: 63_000,
        latency: 0.134,
        jitter: 0.006,
        avgLoss: 0,
        maxLoss: 0,
        quality: 'good',
        qualityScore: 3.65,
      },
    });
    expect(w.samples[0]!.wifi).toBeUndefined();
  },
  [`${WH}session.user_qos.json`]: () => {
    const w = normalizeWebhook(load(`${WH}session.user_qos.json`), new NormalizeStats())!;
    expect(w.instance).toMatchObject({
      kind: 'session',
      uuid: '4567UVWxYZABCdEfGhiJkl==',
      topic: 'My Session',
    });
    close(w.samples[0]!.streams, {
      audio_input: { bitrate: 63_000, latency: 0.134, jitter: 0.006, avgLoss: 0, maxLoss: 0 },
    });
  },
  [`${WH}meeting.participant_qos_summary.json`]: () =>
    summaryWebhook(`${WH}meeting.participant_qos_summary.json`),
  [`${WH}webinar.participant_qos_summary.json`]: () =>
    summaryWebhook(`${WH}webinar.participant_qos_summary.json`),
  [`${WH}session.user_qos_summary.json`]: () => {
    const w = normalizeWebhook(load(`${WH}session.user_qos_summary.json`), new NormalizeStats())!;
    expect(w.summary!.streams).toEqual({});
    close(w.summary!.cpu, { zoomMin: 0, zoomAvg: 0, zoomMax: 0, systemMax: 0 });
  },
  [`${WH}meeting.participant_data.json`]: () => dataWebhook(`${WH}meeting.participant_data.json`, 'WIN'),
  [`${WH}meeting.participant_data_summary.json`]: () =>
    dataWebhook(`${WH}meeting.participant_data_summary.json`, 'Windows', 'Web video sdk 1.12.10'),
  [`${WH}session.user_data.json`]: () => dataWebhook(`${WH}session.user_data.json`, 'WIN'),
  [`${WH}session.user_data_summary.json`]: () =>
    dataWebhook(`${WH}session.user_data_summary.json`, 'Windows', 'Web video sdk 1.12.10'),
};

function instanceOnly(rel: string): void {
  const body = load(rel);
  const items = (body.meetings ?? body.webinars ?? body.sessions ?? [body]) as Raw[];
  expect(items.length).toBeGreaterThan(0);
  // Nothing in an instance answer is a QoS entry: the normalizer finds no sample in it.
  for (const i of items) expect(normalizeParticipant(meeting, i, {}, new NormalizeStats())).toEqual([]);
}

function summaryWebhook(rel: string): void {
  const w = normalizeWebhook(load(rel), new NormalizeStats())!;
  close(w.summary!.streams, {
    audio_output: {
      bitrate: { min: 6_000, avg: 9_000, max: 27_000 },
      latency: { min: 0, avg: 0, max: 0 },
      jitter: { min: 0, avg: 0, max: 0.001 },
      avgLoss: { min: 0, avg: 0 },
      maxLoss: { max: 0 },
    },
    video_output: {
      bitrate: { min: 200_000, avg: 391_000, max: 898_000 },
      latency: { min: 0, avg: 0, max: 0 },
      jitter: { min: 0, avg: 0, max: 0.001 },
      avgLoss: { min: 0, avg: 0 },
      maxLoss: { max: 0 },
      frameRate: { min: 0, avg: 0, max: 0 },
    },
  });
  close(w.summary!.cpu, { zoomMin: 0.01, zoomAvg: 0.02, zoomMax: 0.05, systemMax: 0.23 });
}

function dataWebhook(rel: string, device: string, client?: string): void {
  const w = normalizeWebhook(load(rel), new NormalizeStats())!;
  expect(w.samples).toEqual([]);
  close(w.context, {
    device,
    location: 'New York',
    networkType: 'Wired',
    microphone: 'Plantronics BT600',
    speaker: 'Plantronics BT600',
    camera: 'FaceTime HD Camera',
    dataCenter: 'SC',
    connectionType: 'P2P',
    version: '4.4.55383.0716',
    ...(client ? { client } : {}),
  });
}

describe("Zoom's example responses, through the normalizer", () => {
  const files = allFiles(ROOT).sort();

  it('has a check for every example response in the fixtures', () => {
    expect(files.length).toBe(33);
    expect(Object.keys(CHECKS).sort()).toEqual(files);
  });

  it.each(files)('%s', (file) => CHECKS[file]!());

  it('reads the legs as Zoom says: *_input and *_device_from_* sent, *_output and *_device_to_* received', () => {
    const [s] = samplesOf(load(`${EP}metrics-meetings-{meetingId}-participants-qos_GET.json`));
    const legs = Object.fromEntries(
      Object.keys(s!.streams).map((n) => [n, STREAM_BY_NAME.get(n)!.direction]),
    );
    for (const [name, dir] of Object.entries(legs))
      expect(dir, name).toBe(/_input$|_device_from_/.test(name) ? 'sent' : 'received');
    expect(legs).toMatchObject({
      audio_device_from_crc: 'sent',
      audio_device_to_crc: 'received',
      video_device_from_rwg: 'sent',
      as_device_to_rwg: 'received',
    });
    expect(Object.keys(legs)).toHaveLength(18);
  });

  it('declares every participant field the examples hold: read by the catalog, identity, or not read on purpose', () => {
    const catalog = new Set(FIELDS.flatMap((f) => [f.zoom, ...Object.values(f.summary ?? {})]));
    const identity = new Set([
      'id',
      'user_id',
      'participant_user_id',
      'participant_uuid',
      'participant_id',
      'user_name',
      'name',
      'email',
    ]);
    const structure = new Set([
      'user_qos',
      'qos',
      'type',
      'details',
      'data',
      'cpu_usage',
      'wifi_rssi',
      'cpu_pressure_level',
    ]);
    const undeclared = new Set<string>();
    const visit = (o: Raw): void => {
      for (const [k, v] of Object.entries(o)) {
        if (STREAM_BY_NAME.has(k) && v && typeof v === 'object') visit(v as Raw);
        else if (!catalog.has(k) && !identity.has(k) && !structure.has(k) && !(k in NOT_READ))
          undeclared.add(k);
        if (['user_qos', 'qos', 'data'].includes(k) && Array.isArray(v)) for (const e of v) visit(e as Raw);
        if (
          ['details', 'cpu_usage', 'wifi_rssi', 'cpu_pressure_level'].includes(k) &&
          v &&
          typeof v === 'object'
        )
          visit(v as Raw);
      }
    };
    for (const file of files) {
      const body = load(file);
      const obj = (body.payload as Raw | undefined)?.object as Raw | undefined;
      const people = (body.participants ??
        body.users ??
        (obj ? [obj.participant ?? obj.user] : undefined)) as Raw[] | undefined;
      if (Array.isArray(people)) people.forEach(visit);
      else if ('user_qos' in body) visit(body);
    }
    expect([...undeclared].sort()).toEqual([]);
  });
});
