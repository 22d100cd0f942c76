import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeSummary } from '../../../src/normalize/qos-items.js';
import { NormalizeStats } from '../../../src/normalize/stats.js';
import { QSS_EVENTS, readQss } from '../../../src/poll/webhooks/qss.js';
import { readPushedSummaries, summaryFile } from '../../../src/poll/webhooks/summary-store.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { fromRoot } from '../../../src/util/package-root.js';
import { startWebhooks, webhookSettings, type Started } from '../../helpers/webhooks-service.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';

const SECRET = 'lifecycle-secret';
const MIN = 60_000;
const T0 = Date.parse('2021-07-13T21:40:00Z');
const UUID = '4444AAAiAAAAAiAiAiiAii==';
const settings = webhookSettings(SECRET);
const fixture = (name: string): string =>
  readFileSync(fromRoot('test', 'fixtures', 'zoom-webhooks', `${name}.json`), 'utf8');

const open: Started[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.w.receiver.close().catch(() => undefined);
});

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/** meeting.started / meeting.ended as Zoom sends them (payload.object: id, uuid, topic, start_time, end_time). */
const lifecycle = (event: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    event,
    event_ts: T0,
    payload: {
      account_id: 'AAAAAABBBB',
      object: {
        id: '351484390',
        uuid: UUID,
        host_id: 'mYEZ2e_mTOyauvOtKF0aMA',
        topic: 'Weekly',
        type: 2,
        start_time: '2021-07-13T21:30:00Z',
        timezone: 'UTC',
        duration: 40,
        ...extra,
      },
    },
  });

/** A QoS push of participant `user` at `date_time`, shaped as Zoom's meeting.participant_qos example. */
const qosAt = (user: string, dateTime: string): string =>
  fixture('meeting.participant_qos')
    .replace('"user_id": "1234567890"', `"user_id": "${user}"`)
    .replace('2021-07-13T21:44:51Z', dateTime);

describe('meeting.started / meeting.ended pushed', () => {
  it('expects pushes from the start, ends the instance at once, and drops retried samples from before the end', async () => {
    const clock = new VirtualClock(T0);
    const s = await startWebhooks(mkdtempSync(join(tmpdir(), 'qw-life-')), clock, settings);
    open.push(s);
    const send = (body: string): Promise<{ status: number }> =>
      post(s.url, body, zoomHeaders(SECRET, body, clock.now()));
    expect((await send(lifecycle('meeting.started'))).status).toBe(200);
    await settle();
    expect(s.scheduler.pushes.paths.path(`meeting:${UUID}`, clock.now())).toBe('push');

    clock.advance(5 * MIN);
    expect((await send(qosAt('1', '2021-07-13T21:44:00Z'))).status).toBe(200);
    await settle();
    expect(s.events.filter((e) => e.type === 'samples')).toHaveLength(1);

    clock.advance(MIN);
    expect((await send(lifecycle('meeting.ended', { end_time: '2021-07-13T21:45:30Z' }))).status).toBe(200);
    await settle();
    expect(s.events.at(-1)).toMatchObject({ type: 'ended', instance: { kind: 'meeting', uuid: UUID } });
    expect(s.scheduler.pushes.paths.instances()).toEqual([]);

    // Zoom's retry of a minute before the end (another participant's, so a new body): not evaluated.
    clock.advance(20 * MIN);
    expect((await send(qosAt('2', '2021-07-13T21:45:00Z'))).status).toBe(200);
    await settle();
    expect(s.events.filter((e) => e.type === 'samples')).toHaveLength(1);
    expect(s.scheduler.pushes.lifecycle).toEqual({ started: 1, ended: 1, samplesAfterEnd: 1 });
    expect(s.w.status(clock.now())).toMatchObject({ started: 1, ended: 1, samples_after_end: 1 });
    await s.w.close();
  });
});

describe('participant_data and *_qos_summary pushed', () => {
  it('give the samples that follow their context, and keep context and summaries for the report', async () => {
    const clock = new VirtualClock(Date.parse('2021-07-13T21:45:00Z'));
    const dir = mkdtempSync(join(tmpdir(), 'qw-summ-'));
    const s = await startWebhooks(dir, clock, settings);
    open.push(s);
    for (const name of [
      'meeting.participant_data',
      'meeting.participant_qos',
      'meeting.participant_qos_summary',
      'session.user_data_summary',
      'session.user_qos_summary',
      'webinar.participant_qos_summary',
    ]) {
      const body = fixture(name);
      expect((await post(s.url, body, zoomHeaders(SECRET, body, clock.now()))).status).toBe(200);
    }
    await settle();
    const samples = s.events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
    expect(samples).toHaveLength(1);
    expect(samples[0]!.context).toMatchObject({
      device: 'WIN',
      networkType: 'Wired',
      dataCenter: 'SC',
      location: 'New York',
    });
    await s.w.close();

    const meeting = readPushedSummaries(s.files, dir, { kind: 'meeting', uuid: UUID });
    expect(Object.keys(meeting!.participants).sort()).toEqual(['1234567890', 'string']);
    expect(meeting!.participants['1234567890']!.context).toMatchObject({ dataCenter: 'SC', device: 'WIN' });
    const raw = meeting!.participants.string!.qos_summary!;
    expect(raw).toEqual(
      (
        JSON.parse(fixture('meeting.participant_qos_summary')) as {
          payload: { object: { participant: unknown } };
        }
      ).payload.object.participant,
    );
    // The report reads it as it reads a qos_summary answer.
    const summary = normalizeSummary(raw, 'meeting', new NormalizeStats());
    expect(summary!.streams.audio_output!.bitrate).toEqual({ min: 6000, avg: 9000, max: 27000 });
    expect(summary!.cpu).toMatchObject({ zoomAvg: 0.02, systemMax: 0.23 });

    const session = readPushedSummaries(s.files, dir, { kind: 'session', uuid: 'gkBE2XmnRJq42wHoMox/5g==' });
    expect(Object.keys(session!.participants)).toEqual(['16778240']);
    expect(summaryFile(dir, { kind: 'session', uuid: 'gkBE2XmnRJq42wHoMox/5g==' })).toMatch(
      /webhooks\/summaries\/session-[A-Za-z0-9_-]+\.json$/,
    );
    const webinar = readPushedSummaries(s.files, dir, { kind: 'webinar', uuid: UUID });
    expect(Object.keys(webinar!.participants)).toEqual(['string']);
  });
});

describe('hostile pushed events', () => {
  it('readQss never throws on any payload of any event it reads, and gives a message or undefined', () => {
    const events = Object.keys(QSS_EVENTS);
    fc.assert(
      fc.property(fc.constantFrom(...events), fc.jsonValue(), fc.anything(), (event, object, extra) => {
        for (const body of [
          { event, payload: { object } },
          { event, payload: { object: { uuid: 'x==', session_id: 's', participant: object, user: object } } },
          { event, payload: extra },
          {
            event,
            payload: { object: { uuid: 'x==', end_time: extra, participant: { user_id: '1', qos: extra } } },
          },
        ]) {
          const m = readQss(body);
          if (m !== undefined) expect(typeof m.type).toBe('string');
        }
      }),
      { numRuns: 400, seed: 15 },
    );
  });

  it('the daemon path answers 200 and keeps going on started/ended/summary events with wrong shapes', async () => {
    const clock = new VirtualClock(T0);
    const dir = mkdtempSync(join(tmpdir(), 'qw-life-hostile-'));
    const s = await startWebhooks(dir, clock, settings);
    open.push(s);
    const bodies = [
      lifecycle('meeting.ended', { end_time: 'yesterday' }),
      lifecycle('meeting.ended', { end_time: 1e300, uuid: ['x'] }),
      lifecycle('webinar.started', { uuid: '' }),
      JSON.stringify({ event: 'session.ended', payload: { object: { session_id: { a: 1 } } } }),
      JSON.stringify({ event: 'session.started', payload: { object: { session_id: '__proto__' } } }),
      JSON.stringify({
        event: 'meeting.participant_qos_summary',
        payload: { object: { uuid: '__proto__', participant: { participant_id: '__proto__', qos: 'x' } } },
      }),
      JSON.stringify({
        event: 'meeting.participant_data',
        payload: { object: { uuid: 'u==', participant: { participant_id: 'constructor', data: [null, 7] } } },
      }),
    ];
    for (const body of bodies)
      expect((await post(s.url, body, zoomHeaders(SECRET, body, clock.now()))).status).toBe(200);
    await settle();
    await s.w.close();
    // No uuid (an array, an empty string) or a session id that is an object: unreadable, counted.
    expect(s.w.source.stats.handled.get('invalid')).toBe(3);
    // A join key of `__proto__` is kept as a participant like any other.
    const odd = readPushedSummaries(s.files, dir, { kind: 'meeting', uuid: '__proto__' });
    expect(Object.keys(odd!.participants)).toEqual(['__proto__']);
    expect(s.scheduler.pushes.lifecycle).toMatchObject({ started: 1, ended: 1 });
  });
});
