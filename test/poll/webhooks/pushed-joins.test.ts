import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../../src/normalize/events.js';
import type { QosSample } from '../../../src/normalize/sample.js';
import { REJOIN_GRACE_MS } from '../../../src/poll/joins.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { fromRoot } from '../../../src/util/package-root.js';
import { startWebhooks, webhookSettings, type Started } from '../../helpers/webhooks-service.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';

/**
 * Pushed samples are linked to joins as polled ones are (poll/joins.ts): a rejoin keeps the key
 * of the stay it replaces, a second device is a join of its own, context goes to its join.
 * Bodies are Zoom's example payloads (test/fixtures/zoom-webhooks) with the ids changed.
 */
const SECRET = 'joins-secret';
const MIN = 60_000;
const UUID = '4444AAAiAAAAAiAiAiiAii==';
const PERSON = 'rstuvwxyza789-cde';
const settings = webhookSettings(SECRET);
const fixture = (name: string): string =>
  readFileSync(fromRoot('test', 'fixtures', 'zoom-webhooks', `${name}.json`), 'utf8');

/** meeting.participant_qos of join `userId` (person `participant_user_id`, '' for a guest) at `dateTime`. */
const qos = (userId: string, dateTime: string, person = PERSON): string => {
  const body = JSON.parse(fixture('meeting.participant_qos')) as {
    payload: { object: { participant: Record<string, unknown> & { qos: { date_time: string }[] } } };
  };
  const p = body.payload.object.participant;
  p.user_id = userId;
  if (person) p.participant_user_id = person;
  else delete p.participant_user_id;
  for (const q of p.qos) q.date_time = dateTime;
  return JSON.stringify(body);
};

/** meeting.participant_data of join `participantId` on `device`. */
const data = (participantId: string, device: string): string => {
  const body = JSON.parse(fixture('meeting.participant_data')) as {
    payload: { object: { participant: { participant_id: string; data: { device: string }[] } } };
  };
  body.payload.object.participant.participant_id = participantId;
  body.payload.object.participant.data[0]!.device = device;
  return JSON.stringify(body);
};

/**
 * meeting.participant_left as Zoom's event reference shapes it: the join's `user_id`, the
 * account `id` (empty for a guest), `participant_user_id`, `leave_time`.
 */
const left = (userId: string, leaveTime: string, person = PERSON): string =>
  JSON.stringify({
    event: 'meeting.participant_left',
    event_ts: Date.parse(leaveTime),
    payload: {
      account_id: 'AAAAAABBBB',
      object: {
        id: '1234567890',
        uuid: UUID,
        host_id: 'x1yCzABCDEfg23HiJKl4mN',
        topic: 'My Meeting',
        type: 2,
        start_time: '2021-07-13T21:30:00Z',
        timezone: 'America/Los_Angeles',
        duration: 60,
        participant: {
          user_id: userId,
          user_name: 'Jill Chill',
          id: person,
          participant_uuid: `uuid-${userId}`,
          leave_time: leaveTime,
          leave_reason: 'left the meeting',
          email: 'user@example.com',
          ...(person ? { participant_user_id: person } : {}),
        },
      },
    },
  });

const open: Started[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.w.close().catch(() => undefined);
});

async function start(
  at: string,
): Promise<{ s: Started; clock: VirtualClock; send: (b: string) => Promise<void> }> {
  const clock = new VirtualClock(Date.parse(at));
  const s = await startWebhooks(mkdtempSync(join(tmpdir(), 'qw-pjoins-')), clock, settings);
  open.push(s);
  const send = async (body: string): Promise<void> => {
    expect((await post(s.url, body, zoomHeaders(SECRET, body, clock.now()))).status).toBe(200);
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  return { s, clock, send };
}

const samplesOf = (events: PipelineEvent[]): QosSample[] =>
  events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
const leftOf = (events: PipelineEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'left' ? [e.participant] : []));

describe('pushed samples linked to joins', () => {
  it('a rejoin after a pushed leave keeps the key of the stay it replaces, and its leave is never reported', async () => {
    const { s, clock, send } = await start('2021-07-13T21:45:00Z');
    await send(qos('1234567890', '2021-07-13T21:44:00Z'));
    await send(qos('1234567890', '2021-07-13T21:45:00Z'));
    clock.advance(MIN);
    await send(left('1234567890', '2021-07-13T21:45:40Z'));
    clock.advance(MIN);
    await send(qos('1234567891', '2021-07-13T21:47:00Z'));
    // Zoom's retry of the first join's last minute, after the rejoin: a repeat, not a new sample.
    await send(qos('1234567890', '2021-07-13T21:45:00Z').replace('"event_ts":1626230691572', '"event_ts":1'));
    clock.advance(REJOIN_GRACE_MS + MIN);
    await send(qos('1234567891', '2021-07-13T21:51:00Z'));
    const samples = samplesOf(s.events);
    expect(
      samples.map((x) => [x.participant.key, x.participant.join, new Date(x.time).toISOString()]),
    ).toEqual([
      ['1234567890', '1234567890', '2021-07-13T21:44:00.000Z'],
      ['1234567890', '1234567890', '2021-07-13T21:45:00.000Z'],
      ['1234567890', '1234567891', '2021-07-13T21:47:00.000Z'],
      ['1234567890', '1234567891', '2021-07-13T21:51:00.000Z'],
    ]);
    expect(samples.every((x) => x.participant.label === undefined && x.participant.person === PERSON)).toBe(
      true,
    );
    expect(leftOf(s.events)).toEqual([]);
  });

  it('a signed-in leave without a rejoin is reported once, after the rejoin grace; a guest leave at once', async () => {
    const { s, clock, send } = await start('2021-07-13T21:45:00Z');
    await send(qos('1234567890', '2021-07-13T21:45:00Z'));
    await send(qos('guest-1', '2021-07-13T21:45:00Z', ''));
    await send(left('guest-1', '2021-07-13T21:45:30Z', ''));
    await send(left('1234567890', '2021-07-13T21:45:30Z'));
    expect(leftOf(s.events)).toEqual(['guest-1']);
    clock.advance(REJOIN_GRACE_MS);
    // The next cycle (or push) after the grace reports it.
    await s.scheduler.cycle(new AbortController().signal);
    expect(leftOf(s.events)).toEqual(['guest-1', '1234567890']);
    await send(qos('other', '2021-07-13T21:49:00Z', 'someone-else'));
    await s.scheduler.cycle(new AbortController().signal);
    expect(leftOf(s.events)).toEqual(['guest-1', '1234567890']);
  });

  it('a second device is a join of its own, both labelled with their device, each with its own participant_data', async () => {
    const { s, send } = await start('2021-07-13T21:45:00Z');
    await send(data('1234567890', 'WIN'));
    await send(data('1234567891', 'iOS'));
    await send(qos('1234567890', '2021-07-13T21:44:00Z'));
    await send(qos('1234567891', '2021-07-13T21:44:00Z'));
    await send(qos('1234567890', '2021-07-13T21:45:00Z'));
    const samples = samplesOf(s.events);
    // Same minute, same person, two devices: both pass de-duplication.
    expect(samples.map((x) => [x.participant.key, x.context.device, x.participant.label ?? ''])).toEqual([
      ['1234567890', 'WIN', ''],
      ['1234567891', 'iOS', '1234567891 (iOS)'],
      ['1234567890', 'WIN', '1234567890 (WIN)'],
    ]);
  });

  it('a new join of a person whose earlier join is not known to have left is not taken for a rejoin', async () => {
    const { s, clock, send } = await start('2021-07-13T21:45:00Z');
    await send(qos('1234567890', '2021-07-13T21:45:00Z'));
    clock.advance(10 * MIN);
    await send(qos('1234567891', '2021-07-13T21:55:00Z'));
    expect(samplesOf(s.events).map((x) => x.participant.key)).toEqual(['1234567890', '1234567891']);
  });
});
