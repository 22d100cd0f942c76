import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUTURE_TOLERANCE_MS } from '../../../src/poll/future.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { fromRoot } from '../../../src/util/package-root.js';
import { startWebhooks, webhookSettings, type Started } from '../../helpers/webhooks-service.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';

/**
 * Issue 15 outside test: a signed push dated a day ahead was counted new, became the join's
 * newest minute, and every real minute after it was late and never judged. Samples dated more
 * than FUTURE_TOLERANCE_MS ahead of Zoom's own clock, the event's `event_ts`, are refused and
 * counted as `future`; Zoom's clock, not the daemon's, so that a simulator running its scenario
 * ahead of real time (`qoswatch simulate --speed`) is not refused (9e776ad judged by the daemon's
 * clock and was reverted for it).
 */
const SECRET = 'future-date-secret';
const body = readFileSync(
  fromRoot('test', 'fixtures', 'zoom-webhooks', 'meeting.participant_qos.json'),
  'utf8',
);
const REAL = '2021-07-13T21:44:51Z';
const EVENT_TS = 1626230691572;
const T = Date.parse('2021-07-13T21:45:00Z');
const HOUR = 3_600_000;
const iso = (t: number): string => new Date(t).toISOString().replace('.000', '');
/** The fixture's event with its sample dated `date` and its event_ts `ts` (also what makes it not a replay). */
const dated = (date: string, ts: number | undefined): string => {
  const b = body.replace(`"date_time": "${REAL}"`, `"date_time": "${date}"`);
  return ts === undefined
    ? b.replace(`"event_ts": ${EVENT_TS},`, '')
    : b.replace(`"event_ts": ${EVENT_TS}`, `"event_ts": ${ts}`);
};

let s: Started;
let clock: VirtualClock;

beforeAll(async () => {
  clock = new VirtualClock(T);
  s = await startWebhooks(mkdtempSync(join(tmpdir(), 'qw-future-')), clock, webhookSettings(SECRET));
});
afterAll(async () => {
  await s.w.close();
});

const push = async (b: string): Promise<void> => {
  expect((await post(s.url, b, zoomHeaders(SECRET, b, clock.now()))).status).toBe(200);
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};
const counts = (): Record<string, number> =>
  (s.w.status(clock.now()) as { samples: Record<string, number> }).samples;
const times = (): number[] =>
  s.events.flatMap((e) => (e.type === 'samples' ? e.samples.map((x) => x.time) : []));

describe("a pushed sample dated ahead of Zoom's clock (its event's event_ts)", () => {
  it('is refused as future a day ahead, and the real minute after it is still new and judged', async () => {
    await push(dated(iso(Date.parse(REAL) + 24 * HOUR), EVENT_TS + 1));
    expect(counts()).toMatchObject({ new: 0, late: 0, future: 1 });
    expect(times()).toEqual([]);
    await push(body);
    expect(counts()).toMatchObject({ new: 1, late: 0, future: 1 });
    expect(times()).toEqual([Date.parse(REAL)]);
  });

  it('is taken within the tolerance of event_ts, refused just past it', async () => {
    await push(dated(iso(EVENT_TS + FUTURE_TOLERANCE_MS + 60_000), EVENT_TS + 2));
    expect(counts()).toMatchObject({ new: 1, future: 2 });
    const within = Math.floor((EVENT_TS + FUTURE_TOLERANCE_MS) / 1000) * 1000;
    await push(dated(iso(within), EVENT_TS + 3));
    expect(counts()).toMatchObject({ new: 2, future: 2 });
    expect(times()).toEqual([Date.parse(REAL), within]);
  });

  it("is judged by Zoom's clock, not the daemon's: an event and its samples two hours ahead of the daemon are new", async () => {
    // A simulator running its scenario faster than real time: event_ts and date_time both ahead
    // (the fixture's event_ts is itself 5 hours ahead of the daemon clock T).
    const ahead = EVENT_TS - (EVENT_TS % 1000) + 2 * HOUR;
    expect(ahead - clock.now()).toBeGreaterThan(FUTURE_TOLERANCE_MS);
    await push(dated(iso(ahead), ahead));
    expect(counts()).toMatchObject({ new: 3, future: 2 });
    expect(times().at(-1)).toBe(ahead);
  });

  it("without an event_ts, is judged by the time it was received (the daemon's clock)", async () => {
    await push(dated(iso(clock.now() + 24 * HOUR), undefined));
    expect(counts()).toMatchObject({ new: 3, future: 3 });
    await push(dated(iso(clock.now() + 3 * HOUR), undefined));
    expect(counts()).toMatchObject({ new: 3, future: 4 });
  });
});
