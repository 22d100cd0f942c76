import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { formatTable } from '../../src/report/format-text.js';
import { makeReport } from '../../src/report/make.js';
import { titleLine } from '../../src/report/values.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { TestServer } from '../helpers/http-server.js';
import { zoomClientAt } from '../helpers/zoom-at.js';

/**
 * The call's span in a report's title, from Zoom's example answers served over HTTP with the
 * details' start_time and end_time set per case. An end_time before the start_time (hT45 L1:
 * "2026-12-05 21:24-10:17 UTC, ended" for an end four years before) is bad data: said once in
 * the Source line, not shown as a span; an end on another date shows its date.
 */
const sample = (name: string): string =>
  readFileSync(
    fromRoot('test', 'fixtures', 'zoom-samples', 'zoomnet', 'endpoints', `${name}_GET.json`),
    'utf8',
  );

const MEETING = '/v2/metrics/meetings/gaqOKVN9RAaDHKYWEcASXg%3D%3D';
let times = { start: '', end: '' };
const zoom = new TestServer((r, res) => {
  const path = r.path.split('?')[0]!;
  const body = path.startsWith('/oauth/token')
    ? JSON.stringify({ access_token: 'tok', token_type: 'bearer', expires_in: 3600 })
    : path === '/v2/metrics/meetings/575734086'
      ? JSON.stringify({
          ...(JSON.parse(sample('metrics-meetings-{meetingId}')) as object),
          start_time: times.start,
          end_time: times.end,
        })
      : path === `${MEETING}/participants/qos_summary`
        ? sample('metrics-meetings-{meetingId}-participants-qos_summary')
        : path === `${MEETING}/participants`
          ? sample('metrics-meetings-{meetingId}-participants').replace(
              /"next_page_token": "[^"]*"/,
              '"next_page_token": ""',
            )
          : path === `${MEETING}/participants/qos`
            ? sample('metrics-meetings-{meetingId}-participants-qos').replace(
                /"next_page_token": "[^"]*"/,
                '"next_page_token": ""',
              )
            : undefined;
  res
    .writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
    .end(body ?? JSON.stringify({ code: 3001, message: 'Meeting does not exist.' }));
});
beforeAll(() => zoom.listen());
afterAll(() => zoom.close());

async function report(start: string, end: string) {
  times = { start, end };
  const clock = new VirtualClock(Date.parse('2026-12-06T12:00:00Z'));
  const c = zoomClientAt(zoom.url, clock);
  return makeReport(c, {
    kind: 'meeting',
    id: '575734086',
    source: 'auto',
    rules: loadRules([fromRoot('rules', 'default.yaml')]),
    gapToleranceMs: 150_000,
    reserve: 0,
    clock,
  });
}

const TITLE = 'API Meeting (meeting 575734086, instance gaqOKVN9RAaDHKYWEcASXg==)';

describe("a report's title: the call's span", () => {
  it('an end_time before the start_time: no span shown, said once in the Source line', async () => {
    const r = await report('2026-12-05T21:24:00Z', '2022-03-01T10:17:35.0000000+00:00');
    expect(titleLine(r)).toBe(`${TITLE}, from 2026-12-05 21:24 UTC, ended`);
    expect(r.instance.end).toBeUndefined();
    const note =
      "Zoom's end_time 2022-03-01T10:17:35Z is before its start_time 2026-12-05T21:24:00Z: bad data from Zoom, the end is not shown.";
    expect(r.sourceNote).toContain(note);
    const text = formatTable(r);
    expect(text.split(note).length - 1).toBe(1);
    expect(text).not.toContain('21:24-10:17');
  });

  it('an end on the next day shows its date', async () => {
    const r = await report('2026-12-05T23:40:00Z', '2026-12-06T00:20:00Z');
    expect(titleLine(r)).toBe(`${TITLE}, 2026-12-05 23:40 to 2026-12-06 00:20 UTC, ended`);
    expect(r.sourceNote).not.toContain('end_time');
  });

  it('Zoom example times, one day: as before', async () => {
    const r = await report('2022-03-01T10:15:14.0000000+00:00', '2022-03-01T10:17:35.0000000+00:00');
    expect(titleLine(r)).toBe(`${TITLE}, 2022-03-01 10:15-10:17 UTC, ended`);
  });
});
