import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConfig } from '../../../src/cli/demo-config.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { startWebhooks, webhookSettings, type Started } from '../../helpers/webhooks-service.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';
import { zoomTime } from '../../../src/util/zoom-time.js';

/**
 * Pushed samples dated more than `rules.gap_tolerance` before Zoom's clock (Zoom's retries at +5,
 * +20 and +60 minutes of events qoswatch did not answer) are late: counted, never handed to the
 * live rules, and they neither make their instance live nor its participants present
 * (src/poll/stale.ts). The limit is the daemon's gap_tolerance, inclusive.
 */
const SECRET = 'old-samples-secret';
const MIN = 60_000;
const GAP = demoConfig('http://127.0.0.1:2', tmpdir(), 0).rules.gapToleranceMs;
const T = Date.parse('2026-12-03T10:00:00Z');
const event = (uuid: string, join: string, at: number, eventTs = at): string =>
  JSON.stringify({
    event: 'meeting.participant_qos',
    event_ts: eventTs,
    payload: {
      account_id: 'acct',
      object: {
        uuid,
        participant: {
          user_id: join,
          user_name: join,
          qos: [
            { date_time: zoomTime(at), type: 'audio_input', details: { latency: '900 ms', jitter: '6 ms' } },
          ],
        },
      },
    },
  });

let s: Started;
let clock: VirtualClock;
const push = async (body: string): Promise<void> => {
  expect((await post(s.url, body, zoomHeaders(SECRET, body, clock.now()))).status).toBe(200);
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};
const counts = (): Record<string, number> => s.w.status(clock.now()).samples;
const pushedUuids = (): string[] =>
  s.w.status(clock.now()).instances.map((i) => i.instance.slice(i.instance.indexOf(':') + 1));
const handed = (join: string): number[] =>
  s.events.flatMap((e) =>
    e.type === 'samples' ? e.samples.filter((x) => x.participant.join === join).map((x) => x.time) : [],
  );

beforeAll(async () => {
  clock = new VirtualClock(T);
  s = await startWebhooks(mkdtempSync(join(tmpdir(), 'qw-old-')), clock, webhookSettings(SECRET));
});
afterAll(async () => s.w.close());

describe('a pushed sample older than gap_tolerance', () => {
  it('of an instance never seen, all old (+20 and +60 minute retries): late, the instance not live', async () => {
    await push(event('never-seen==', 'j1', T - 60 * MIN, T - 60 * MIN + 5_000));
    await push(event('never-seen==', 'j1', T - 20 * MIN, T - 20 * MIN + 5_000));
    expect(counts()).toMatchObject({ new: 0, late: 2, duplicate: 0, future: 0 });
    expect(s.events).toEqual([]);
    expect(pushedUuids()).toEqual([]);
    expect(s.scheduler.coverage.report(clock.now()).live).toBe(0);
  });

  it('of a participant not seen in a pushed instance: late; a fresh one beside it is new', async () => {
    await push(event('live==', 'fresh', T - 30_000));
    expect(pushedUuids()).toEqual(['live==']);
    await push(event('live==', 'old', T - 60 * MIN));
    expect(handed('old')).toEqual([]);
    expect(handed('fresh')).toEqual([T - 30_000]);
    expect(counts()).toMatchObject({ new: 1, late: 3 });
    expect(s.scheduler.coverage.report(clock.now())).toMatchObject({ live: 1, fresh: 1 });
  });

  it('is judged against gap_tolerance, inclusive: at it new, a second past it late', async () => {
    await push(event('edge==', 'at', T - GAP));
    await push(event('edge==', 'past', T - GAP - 1_000));
    expect(handed('at')).toEqual([T - GAP]);
    expect(handed('past')).toEqual([]);
    expect(counts()).toMatchObject({ new: 2, late: 4 });
  });
});
