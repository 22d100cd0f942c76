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
 * than FUTURE_TOLERANCE_MS ahead of the daemon's clock are refused and counted as `future`.
 */
const SECRET = 'future-date-secret';
const body = readFileSync(
  fromRoot('test', 'fixtures', 'zoom-webhooks', 'meeting.participant_qos.json'),
  'utf8',
);
const REAL = '2021-07-13T21:44:51Z';
const T = Date.parse('2021-07-13T21:45:00Z');
/** The fixture's event dated `date` (an ISO time), with an event_ts of its own (not a replay). */
const dated = (date: string, ts: number): string =>
  body.replace(`"date_time": "${REAL}"`, `"date_time": "${date}"`).replace('1626230691572', String(ts));

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

describe('a pushed sample dated ahead of the daemon clock', () => {
  it('is refused as future a day ahead, and the real minute after it is still new and judged', async () => {
    await push(dated('2021-07-14T21:44:51Z', 1626230691600));
    expect(counts()).toMatchObject({ new: 0, late: 0, future: 1 });
    expect(times()).toEqual([]);
    await push(body);
    expect(counts()).toMatchObject({ new: 1, late: 0, future: 1 });
    expect(times()).toEqual([Date.parse(REAL)]);
  });

  it('is taken within the tolerance (clocks differ a little), refused just past it', async () => {
    const within = new Date(T + FUTURE_TOLERANCE_MS).toISOString().replace('.000', '');
    const past = new Date(T + FUTURE_TOLERANCE_MS + 60_000).toISOString().replace('.000', '');
    await push(dated(past, 1626230691700));
    expect(counts()).toMatchObject({ new: 1, future: 2 });
    await push(dated(within, 1626230691800));
    expect(counts()).toMatchObject({ new: 2, future: 2 });
    expect(times()).toEqual([Date.parse(REAL), T + FUTURE_TOLERANCE_MS]);
  });
});
