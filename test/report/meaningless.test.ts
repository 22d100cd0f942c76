import { afterEach, describe, expect, it } from 'vitest';
import { makeReport } from '../../src/report/make.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { simProxy } from '../helpers/proxy.js';
import type { TestServer } from '../helpers/http-server.js';
import { s2sClient, startSim, type SimHarness } from '../helpers/sim.js';
import { reportOptions as options, WEEKLY } from './scenario.js';

/**
 * Zoom answers that are JSON but say nothing (`{}`, a list of the wrong type, items that are
 * not objects), put in place of the simulator's by a proxy: a report is an error naming the
 * endpoint and what was expected, not an empty report. An instance that is empty still reports.
 */
let h: SimHarness | undefined;
let proxy: TestServer | undefined;
afterEach(async () => {
  await proxy?.close();
  await h?.close();
  proxy = h = undefined;
});

const AFTER = 95 * 60_000;

const CASES: [string, RegExp, string, RegExp][] = [
  [
    'the details as {}',
    /\/metrics\/meetings\/777\?/,
    '{}',
    /GET \/metrics\/meetings\/\{id\} \(.+\) is JSON but not the meeting's details expected .*"uuid" is missing/,
  ],
  [
    'the QoS summary without its list',
    /\/participants\/qos_summary\?/,
    '{"page_size":10}',
    /GET \/metrics\/meetings\/\{id\}\/participants\/qos_summary \(.+\) is JSON but not the listing expected: an object with a "participants" array of objects; it has no "participants" \(its keys: page_size\)/,
  ],
  [
    'the participants list as a string',
    /\/participants\?/,
    '{"participants":"none"}',
    /GET \/metrics\/meetings\/\{id\}\/participants \(.+\) is JSON but not the listing expected.*it has "participants" as string/,
  ],
  [
    'the QoS list holding numbers',
    /\/participants\/qos\?/,
    '{"participants":[1,2,3]}',
    /GET \/metrics\/meetings\/\{id\}\/participants\/qos \(.+\) .*it has "participants" holding something other than objects/,
  ],
];

describe('a report of a meaningless Zoom answer', () => {
  it.each(CASES)('%s is an error naming the endpoint', async (_name, path, body, message) => {
    h = await startSim(WEEKLY, AFTER);
    proxy = await simProxy(h.url, { rewrite: (text, r) => (path.test(r.path) ? body : text) });
    const client = s2sClient({ url: proxy.url, clock: h.clock });
    const err = await makeReport(client, options(h)).catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_BAD_RESPONSE'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
    // Counted among the calls' outcomes (qoswatch_zoom_api_calls_total{outcome="bad_response"}).
    if (!path.source.includes('777')) expect(client.stats.total({ outcome: 'bad_response' })).toBe(1);
  });

  it('an instance with nobody in it still reports, empty', async () => {
    h = await startSim(
      { ...WEEKLY, meetings: [{ ...WEEKLY.meetings![1]!, participants: [] }], episodes: [] },
      AFTER,
    );
    const r = await makeReport(s2sClient(h), options(h));
    expect(r.participants).toEqual([]);
    expect(r.instance.uuid).toBe('/second//inst==');
  });
});

describe('a report of a Zoom answer about something else', () => {
  const details = /\/metrics\/meetings\/[^/?]+\?/;
  const swap = (field: 'id' | 'uuid', to: string | number) => (text: string, r: { path: string }) =>
    details.test(r.path) ? JSON.stringify({ ...(JSON.parse(text) as object), [field]: to }) : text;

  it.each([
    ['a meeting number', '777', swap('id', 888), /for the meeting "777" and it answered about id "888"/],
    [
      'a UUID',
      '/second//inst==',
      swap('uuid', 'other=='),
      /for the meeting "\/second\/\/inst==" .* uuid "other=="/,
    ],
  ] as const)(
    'details of another instance than %s asked for: an error, no report',
    async (_n, id, rewrite, msg) => {
      h = await startSim(WEEKLY, AFTER);
      proxy = await simProxy(h.url, { rewrite });
      const client = s2sClient({ url: proxy.url, clock: h.clock });
      const err = await makeReport(client, options(h, { id })).catch((e: unknown) => e);
      expect(isZoomError(err, 'ZOOM_BAD_RESPONSE'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(msg);
    },
  );

  it('details of the instance asked for, by number or UUID, report as before', async () => {
    h = await startSim(WEEKLY, AFTER);
    for (const id of ['777', '/second//inst==']) {
      const r = await makeReport(s2sClient(h), options(h, { id }));
      expect(r.instance.uuid).toBe('/second//inst==');
      expect(r.participants.length).toBeGreaterThan(0);
    }
  });

  it('a listing entry with no usable id names nobody: skipped and said, the others reported', async () => {
    h = await startSim(WEEKLY, AFTER);
    const bad = { user_id: { a: 1 }, user_name: 7, user_qos: 'bad', summary: 5, join_time: 'yesterday' };
    const addBad = (text: string, r: { path: string }): string => {
      if (!/\/participants(\/qos)?\?/.test(r.path)) return text;
      const body = JSON.parse(text) as { participants: unknown[] };
      return JSON.stringify({ ...body, participants: [bad, ...body.participants] });
    };
    const clean = await makeReport(s2sClient(h), options(h));
    proxy = await simProxy(h.url, { rewrite: addBad });
    const r = await makeReport(s2sClient({ url: proxy.url, clock: h.clock }), options(h));
    expect(r.participants.map((p) => p.name)).toEqual(clean.participants.map((p) => p.name));
    expect(r.participants.map((p) => p.name)).not.toContain('7');
    expect(r.sourceNote).toMatch(/ 2 entries from Zoom had no usable participant id and were skipped\.$/);
    expect(clean.sourceNote).not.toMatch(/skipped/);
  });
});
