import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeParticipant, participantKey } from '../../../src/normalize/normalize.js';
import { SampleDeduplicator } from '../../../src/normalize/dedup.js';
import { NormalizeStats } from '../../../src/normalize/stats.js';
import { readQss, userQosFromQss } from '../../../src/poll/webhooks/qss.js';
import { qssEvent } from '../../../src/simulator/qss-pusher.js';
import { fromRoot } from '../../../src/util/package-root.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(fromRoot('test', 'fixtures', 'zoom-webhooks', `${name}.json`), 'utf8'));

describe("Zoom's example QSS payloads", () => {
  it('meeting.participant_qos becomes one sample in base units, keyed like a polled join', () => {
    const m = readQss(fixture('meeting.participant_qos'));
    expect(m?.type).toBe('qos');
    if (m?.type !== 'qos') return;
    expect(m.instance).toEqual({
      kind: 'meeting',
      id: '4444AAAiAAAAAiAiAiiAii==',
      uuid: '4444AAAiAAAAAiAiAiiAii==',
      topic: '',
    });
    const stats = new NormalizeStats();
    const [s, ...rest] = normalizeParticipant(m.instance, m.participant, {}, stats);
    expect(rest).toEqual([]);
    expect(s!.time).toBe(Date.parse('2021-07-13T21:44:51Z'));
    expect(Object.keys(s!.streams)).toEqual(['audio_input']);
    expect(s!.streams.audio_input).toMatchObject({
      bitrate: 63_000,
      latency: 0.134,
      jitter: 0.006,
      avgLoss: 0,
      maxLoss: 0,
    });
    expect(s!.wifi).toEqual({ avg: -50, max: -44, min: -56 });
    // The same person in a polled QoS list entry (user_id the join, id the account user) gets the same key.
    expect(s!.participant.key).toBe(
      participantKey(
        {
          id: 'rstuvwxyza789-cde',
          user_id: '1234567890',
          participant_user_id: 'rstuvwxyza789-cde',
        },
        'meeting',
      ),
    );
    expect(s!.participant.email).toBe('user@example.com');
    expect(stats.samplesInvalid).toBe(0);
  });

  it('a pushed meeting number past 2^53 is refused and the uuid names the meeting (fTa40: taken as ...567000)', () => {
    const text = readFileSync(
      fromRoot('test', 'fixtures', 'zoom-webhooks', 'meeting.participant_qos.json'),
      'utf8',
    );
    const object = (id: string): unknown => {
      const body = JSON.parse(text) as { payload: { object: Record<string, unknown> } };
      // As JSON.parse reads the id Zoom wrote: an int64 past 2^53 loses its last digits.
      body.payload.object.id = JSON.parse(id);
      return body;
    };
    const refused: string[] = [];
    const big = readQss(object('12345678901234567890'), (form) => refused.push(form));
    // The old code: id "12345678901234567000", nothing refused.
    expect(big?.instance.id).toBe('4444AAAiAAAAAiAiAiiAii==');
    expect(refused).toEqual(['12345678901234567000']);
    expect(readQss(object('85000000001'), (form) => refused.push(form))?.instance.id).toBe('85000000001');
    // A string is taken as sent (Zoom's webinar example writes "123456ABCDEF").
    expect(readQss(object('"123456ABCDEF"'), (form) => refused.push(form))?.instance.id).toBe('123456ABCDEF');
    expect(readQss(object('1e400'), (form) => refused.push(form))?.instance.id).toBe(
      '4444AAAiAAAAAiAiAiiAii==',
    );
    expect(refused).toEqual(['12345678901234567000', 'Infinity']);
  });

  it('a pushed qos that is no list is counted, as a polled user_qos is (hT40b)', () => {
    const body = fixture('meeting.participant_qos') as {
      payload: { object: { participant: Record<string, unknown> } };
    };
    body.payload.object.participant.qos = 'x';
    const m = readQss(body);
    if (m?.type !== 'qos') throw new Error('not read as qos');
    const stats = new NormalizeStats();
    expect(normalizeParticipant(m.instance, m.participant, {}, stats)).toEqual([]);
    expect(Object.fromEntries(stats.invalidBy)).toEqual({ samples_not_list: 1 });
  });

  it('webinar.participant_qos and session.user_qos read the same way', () => {
    const w = readQss(fixture('webinar.participant_qos'));
    expect(w).toMatchObject({ type: 'qos', instance: { kind: 'webinar', uuid: '4444AAAiAAAAAiAiAiiAii==' } });
    const s = readQss(fixture('session.user_qos'));
    expect(s).toMatchObject({
      type: 'qos',
      instance: {
        kind: 'session',
        id: '4567UVWxYZABCdEfGhiJkl==',
        uuid: '4567UVWxYZABCdEfGhiJkl==',
        topic: 'My Session',
      },
    });
    if (s?.type !== 'qos') return;
    const [sample] = normalizeParticipant(s.instance, s.participant, {}, new NormalizeStats());
    // Video SDK users are keyed by their id, as the polled session QoS list keys them.
    expect(sample!.participant.key).toBe(participantKey({ id: '1234567890', name: 'example' }, 'session'));
    expect(sample!.participant.name).toBe('example');
    expect(sample!.streams.audio_input!.latency).toBe(0.134);
  });

  it('participant_data and user_data give context joined on the same key', () => {
    expect(readQss(fixture('meeting.participant_data'))).toMatchObject({
      type: 'context',
      instance: {
        kind: 'meeting',
        id: '4444AAAiAAAAAiAiAiiAii==',
        uuid: '4444AAAiAAAAAiAiAiiAii==',
        topic: '',
      },
      participant: participantKey({ id: 'rstuvwxyza789-cde', user_id: '1234567890' }, 'meeting'),
      context: {
        networkType: 'Wired',
        dataCenter: 'SC',
        connectionType: 'P2P',
        location: 'New York',
        device: 'WIN',
        version: '4.4.55383.0716',
      },
    });
    expect(readQss(fixture('session.user_data'))).toMatchObject({
      type: 'context',
      participant: '25508864',
      context: { networkType: 'Wired', dataCenter: 'SC' },
    });
    expect(readQss(fixture('meeting.participant_data_summary'))).toMatchObject({
      type: 'context',
      context: { device: 'Windows' },
    });
  });

  it('summaries are recognised and carry no samples', () => {
    for (const name of [
      'meeting.participant_qos_summary',
      'webinar.participant_qos_summary',
      'session.user_qos_summary',
    ])
      expect(readQss(fixture(name))?.type, name).toBe('summary');
  });

  it("Zoom's pushed example and Zoom's polled example of one join and minute are one sample, in either order", () => {
    // Zoom's Dashboard API example page and Zoom's webhook example, the webhook's ids and
    // date_time set to the page's participant and minute (each in its own format: the page
    // writes '2022-03-01T10:16:00.0000000+00:00', QSS '2022-03-01T10:16:00Z').
    const page = JSON.parse(
      readFileSync(
        fromRoot(
          'test',
          'fixtures',
          'zoom-samples',
          'zoomnet',
          'endpoints',
          'metrics-meetings-{meetingId}-participants-qos_GET.json',
        ),
        'utf8',
      ),
    ) as {
      participants: (Record<string, unknown> & {
        id: string;
        user_id: string;
        user_qos: { date_time: string }[];
      })[];
    };
    const polledRaw = page.participants[0]!;
    const body = fixture('meeting.participant_qos') as {
      payload: { object: { participant: Record<string, unknown> & { qos: { date_time: string }[] } } };
    };
    const p = body.payload.object.participant;
    p.user_id = polledRaw.user_id;
    p.participant_user_id = polledRaw.id;
    for (const q of p.qos)
      q.date_time = new Date(Date.parse(polledRaw.user_qos[0]!.date_time))
        .toISOString()
        .replace('.000Z', 'Z');
    const m = readQss(body);
    if (m?.type !== 'qos') throw new Error('not read as QoS');
    const stats = new NormalizeStats();
    const [pushed, ...morePushed] = normalizeParticipant(m.instance, m.participant, {}, stats);
    const [polled, ...morePolled] = normalizeParticipant(m.instance, polledRaw, {}, stats);
    expect([morePushed, morePolled]).toEqual([[], []]);
    expect(pushed!.participant.key).toBe(polled!.participant.key);
    expect(pushed!.time).toBe(Date.parse('2022-03-01T10:16:00Z'));
    expect(polled!.time).toBe(pushed!.time);
    expect(stats.samplesInvalid).toBe(0);
    // Polled first (every stream), then pushed (audio_input alone): the push is a duplicate.
    let dedup = new SampleDeduplicator(3_600_000);
    expect(dedup.filter([polled!], 0)).toHaveLength(1);
    expect(dedup.filter([pushed!], 1000)).toEqual([]);
    expect(dedup.counts).toEqual({ new: 1, late: 0, duplicate: 1 });
    // Pushed first: polling reads no entry at or before the join's newest minute (seenUpTo,
    // as the scheduler passes it), so the page gives no second sample of that minute.
    dedup = new SampleDeduplicator(3_600_000);
    expect(dedup.filter([pushed!], 0)).toHaveLength(1);
    const seenUpTo = (join: string): number => dedup.seenUpTo(m.instance, join);
    expect(normalizeParticipant(m.instance, polledRaw, {}, stats, seenUpTo)).toEqual([]);
    // Offered anyway, its streams the push lacked refine the minute: still one minute, at its time.
    const refined = dedup.filter([polled!], 1000);
    expect(refined.map((s) => s.time)).toEqual([pushed!.time]);
    expect(Object.keys(refined[0]!.streams).sort()).toEqual(Object.keys(polled!.streams).sort());
    expect(dedup.filter([pushed!, polled!], 2000)).toEqual([]);
  });

  it('anything else gives undefined, never a throw', () => {
    const bad: unknown[] = [
      null,
      42,
      'x',
      [],
      {},
      { event: 'meeting.participant_qos' },
      { event: 'meeting.participant_qos', payload: { object: { participant: {} } } },
      { event: 'meeting.participant_qos', payload: { object: { uuid: 'u', participant: { qos: 'no' } } } },
      { event: 'session.user_qos', payload: { object: { session_id: 's', user: [] } } },
      { event: 'toString', payload: { object: { uuid: 'u' } } },
      { event: '__proto__', payload: { object: { uuid: 'u' } } },
    ];
    for (const b of bad) expect(readQss(b), JSON.stringify(b)).toBeUndefined();
    expect(
      userQosFromQss([null, 1, { type: 'audio_input' }, { date_time: 'x', type: 'date_time', details: {} }]),
    ).toEqual([]);
  });

  it("the simulator's pushed events are read back into the polled shape", () => {
    const raw = {
      date_time: '2026-11-20T10:05:00Z',
      audio_input: {
        bitrate: '27 kbps',
        latency: '80 ms',
        jitter: '3 ms',
        avg_loss: '0.1%',
        max_loss: '0.2%',
      },
      cpu_usage: {
        zoom_avg_cpu_usage: '10%',
        zoom_max_cpu_usage: '20%',
        zoom_min_cpu_usage: '1%',
        system_max_cpu_usage: '50%',
      },
      wifi_rssi: { max_rssi: -40, avg_rssi: -45, min_rssi: -50, rssi_unit: 'dBm' },
    };
    const inst = {
      kind: 'meeting',
      id: '1',
      uuid: 'u==',
      topic: 't',
      start: 0,
      end: 1,
      host: '',
      email: '',
      participants: [],
    };
    const p = { key: 'k', id: 'acct', userId: '16778240', name: 'N', email: 'n@x' };
    const ev = qssEvent(inst as never, p as never, [raw], 0);
    const m = readQss(JSON.parse(JSON.stringify(ev)));
    expect(m?.type).toBe('qos');
    if (m?.type !== 'qos') return;
    const fromPush = normalizeParticipant(m.instance, m.participant, {}, new NormalizeStats());
    const fromPoll = normalizeParticipant(
      m.instance,
      { id: 'acct', user_id: '16778240', user_name: 'N', user_qos: [raw] },
      {},
      new NormalizeStats(),
    );
    expect(fromPush.map((s) => [s.participant.key, s.time, s.streams, s.cpu, s.wifi])).toEqual(
      fromPoll.map((s) => [s.participant.key, s.time, s.streams, s.cpu, s.wifi]),
    );
  });
});

describe('signed bodies qoswatch could not store (outside tester, L1): invalid, counted and skipped', () => {
  const summary = (): Record<string, unknown> =>
    structuredClone(fixture('meeting.participant_qos_summary')) as Record<string, unknown>;
  const participantOf = (b: Record<string, unknown>): Record<string, unknown> =>
    (b.payload as { object: { participant: Record<string, unknown> } }).object.participant;

  it("a QoS summary nested past 16 levels (Zoom's nest 4) is refused; Zoom's example is kept", () => {
    expect(readQss(summary())?.type).toBe('summary');
    const deep = summary();
    let nest: unknown = 'x';
    for (let i = 0; i < 100; i++) nest = { n: nest };
    participantOf(deep).qos_summary = [nest];
    expect(readQss(deep)).toBeUndefined();
  });

  it('an instance uuid or id over 256 characters is refused (a state file could not be named by it)', () => {
    for (const name of [
      'meeting.participant_qos',
      'meeting.participant_qos_summary',
      'meeting.participant_data',
    ]) {
      const body = structuredClone(fixture(name)) as { payload: { object: Record<string, unknown> } };
      expect(readQss(body), name).toBeDefined();
      body.payload.object.uuid = 'u'.repeat(30_000);
      expect(readQss(body), name).toBeUndefined();
      body.payload.object.uuid = 'u'.repeat(256);
      expect(readQss(body), name).toBeDefined();
      body.payload.object.id = '9'.repeat(257);
      expect(readQss(body), name).toBeUndefined();
    }
    const session = structuredClone(fixture('session.user_qos')) as {
      payload: { object: Record<string, unknown> };
    };
    session.payload.object.session_id = 's'.repeat(30_000);
    expect(readQss(session)).toBeUndefined();
  });
});
