import { afterEach, describe, expect, it } from 'vitest';
import { formatCsv, formatJson, CSV_COLUMNS } from '../../src/report/format-data.js';
import { formatHtml } from '../../src/report/format-html.js';
import { formatMarkdown, formatTable } from '../../src/report/format-text.js';
import { hhmm } from '../../src/report/values.js';
import { reportCost } from '../../src/report/endpoints.js';
import { listPastInstances } from '../../src/report/fetch.js';
import { makeReport } from '../../src/report/make.js';
import type { Report } from '../../src/report/types.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { s2sClient, startSim, type SimHarness } from '../helpers/sim.js';
import { reportOptions as options, understatedMeeting, WEEKLY, weeklyWith } from './scenario.js';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const AFTER = 95 * 60_000; // both instances of meeting 777 have ended

/** participant / stream / metric -> [min, avg, max], for comparing two reports. */
function figures(r: Report): Map<string, [number?, number?, number?]> {
  const out = new Map<string, [number?, number?, number?]>();
  for (const p of r.participants)
    for (const s of p.streams)
      for (const [m, f] of Object.entries(s.metrics))
        out.set(`${p.key}/${s.stream}/${m}`, [f.min, f.avg, f.max]);
  return out;
}

describe('qoswatch report, against the simulator over HTTP', () => {
  it('gives the same figures from the QoS summary and from the past samples, worst participant first', async () => {
    h = await startSim(WEEKLY, AFTER);
    const client = s2sClient(h);
    const before = h.sim.apiRequests();
    const fromSummary = await makeReport(client, options(h));
    expect(fromSummary.source).toBe('qos_summary');
    expect(fromSummary.sourceNote).toMatch(/QoS summary \(qos_summary\)/);
    // Details, one summary page, one participants page, one QoS page: 3 joins fit a page each.
    expect(fromSummary.calls).toBe(4);
    expect(fromSummary.calls).toBe(reportCost('meeting', 3, 'auto'));
    expect(h.sim.apiRequests() - before).toBe(fromSummary.calls);
    expect(client.budget.usedToday()).toBe(fromSummary.calls);

    const fromSamples = await makeReport(client, options(h, { source: 'samples' }));
    expect(fromSamples.source).toBe('past_samples');
    expect(fromSamples.calls).toBe(3);
    const a = figures(fromSummary);
    const b = figures(fromSamples);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.size).toBeGreaterThan(20);
    for (const [k, [min, avg, max]] of a) {
      const [min2, avg2, max2] = b.get(k)!;
      // The summary writes ms whole, kbps and % to two decimals, fps to one: within rounding.
      const tol = /bitrate/.test(k) ? 10 : /loss/.test(k) ? 0.0001 : /frame_rate/.test(k) ? 0.05 : 0.0006;
      for (const [x, y] of [
        [min, min2],
        [avg, avg2],
        [max, max2],
      ] as const) {
        expect(x, k).toBeDefined();
        expect(Math.abs(x! - y!), `${k}: ${x} vs ${y}`).toBeLessThanOrEqual(tol);
      }
    }

    // Worst first: Cy, ten minutes over audio-latency-high, and the alert the daemon would send.
    const [cy, ...rest] = fromSummary.participants;
    expect(cy!.name).toBe('Cy');
    expect(cy!.context).toMatchObject({ networkType: 'Wifi', device: 'Mac' });
    expect(cy!.breaches).toContainEqual(
      expect.objectContaining({ rule: 'audio-latency-high', minutes: 10, threshold: '> 300 ms' }),
    );
    expect(cy!.alerts.map((x) => x.rule)).toEqual(['audio-latency-high']);
    expect(cy!.alerts[0]!.until).toBeDefined();
    expect(cy!.streams.find((s) => s.stream === 'audio_input')!.metrics.latency!.p95).toBeGreaterThan(0.4);
    expect(rest.map((p) => p.breaches.length)).toEqual([0, 0]);
    expect(rest.map((p) => p.name).sort()).toEqual(['', 'Ann']);
    // The guest: named as alerts name it (names.ts), by join id, device and network.
    expect(formatTable(fromSummary)).toContain('Guest 16782336 (Windows, Wired)');
  });

  it('falls back to the past samples when Zoom refuses the summary, and says so', async () => {
    h = await startSim({ ...WEEKLY, qos_summary: false }, AFTER);
    const client = s2sClient(h);
    const r = await makeReport(client, options(h));
    expect(r.source).toBe('past_samples');
    expect(r.sourceNote).toMatch(/Zoom refused the QoS summary \(HTTP 403, code 200/);
    expect(r.calls).toBe(4); // the refused summary call counts too
    expect(h.sim.requests.get('qos-summary 403')).toBe(1);
    expect(r.participants[0]!.breaches[0]).toMatchObject({ rule: 'audio-latency-high', minutes: 10 });
    await expect(makeReport(client, options(h, { source: 'summary' }))).rejects.toThrow(/QoS Subscription/);
  });

  it('resolves a meeting id with two past instances to the latest, lists them, and reports a chosen one', async () => {
    h = await startSim(WEEKLY, AFTER);
    const client = s2sClient(h);
    const list = await listPastInstances(client, 'meeting', '777');
    expect(list.map((i) => i.uuid)).toEqual(['first+inst==', '/second//inst==']);
    const latest = await makeReport(client, options(h));
    expect(latest.instance).toMatchObject({ uuid: '/second//inst==', live: false, participants: 3 });
    const first = await makeReport(client, options(h, { instance: 'first+inst==' }));
    expect(first.instance.uuid).toBe('first+inst==');
    expect(first.participants.map((p) => p.name).sort()).toEqual(['Ann', 'Bob']);
    // The UUID that starts with "/" and holds "//" went out double-encoded (the simulator, like
    // Zoom, does not find it otherwise).
    const byUuid = await makeReport(client, options(h, { id: '/second//inst==' }));
    expect(byUuid.participants).toHaveLength(3);
    expect(h.sim.requests.get('details 404') ?? 0).toBe(0);
  });

  it('reports a live instance from the live QoS window', async () => {
    h = await startSim(WEEKLY, 75 * 60_000);
    // The number names the latest ended instance (the first); --live asks for the one going on.
    const client = s2sClient(h);
    expect((await makeReport(client, options(h))).instance).toMatchObject({
      uuid: 'first+inst==',
      live: false,
    });
    const r = await makeReport(client, options(h, { live: true }));
    expect(r.instance).toMatchObject({ uuid: '/second//inst==', live: true });
    expect(r.source).toBe('live_samples');
    expect(r.participants.find((p) => p.name === 'Cy')!.alerts[0]).toMatchObject({
      rule: 'audio-latency-high',
    });
    expect(r.participants.find((p) => p.name === 'Cy')!.alerts[0]!.until).toBeUndefined();
  });

  it('says a participant of a live call is still in it, an open range in every format', async () => {
    h = await startSim(WEEKLY, 75 * 60_000);
    const r = await makeReport(s2sClient(h), options(h, { live: true }));
    const cy = r.participants.find((p) => p.name === 'Cy')!;
    expect(cy.left).toBeUndefined();
    const joined = hhmm(cy.joined);
    const still = `from ${joined} UTC, still in the call`;
    // Once "11:01–11:01" in HTML (join to join), "11:01-" in the table and nothing in Markdown.
    expect(formatTable(r)).toContain(`in the call ${still}`);
    expect(formatMarkdown(r)).toContain(`In the call: ${still}`);
    expect(formatHtml(r)).toContain(`<dt>In the call</dt><dd>${still}</dd>`);
    expect(formatHtml(r)).not.toContain(`${joined}–${joined}`);
  });

  it('says when a participant of an ended call was in it, the same in every format', async () => {
    h = await startSim(WEEKLY, AFTER);
    const r = await makeReport(s2sClient(h), options(h));
    const dee = r.participants.find((p) => p.key === '16782336')!;
    const [from, to] = [hhmm(dee.joined), hhmm(dee.left)];
    expect(from).not.toBe(to);
    expect(formatTable(r)).toContain(`in the call ${from}-${to} UTC`);
    expect(formatMarkdown(r)).toContain(`In the call: ${from}-${to} UTC`);
    expect(formatHtml(r)).toContain(`<dt>In the call</dt><dd>${from}–${to} UTC</dd>`);
  });

  it('refuses before any call when the budget would eat into the reserve for live polling', async () => {
    h = await startSim(WEEKLY, AFTER);
    const client = s2sClient(h, { dailyShare: 0.0001 }); // 6 calls a day on Business
    const before = h.sim.apiRequests();
    const err = await makeReport(client, options(h, { reserve: 3 })).catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_BUDGET_EXHAUSTED')).toBe(true);
    // The fewest calls of the default path (details, a summary page, a QoS page, a participants
    // page: docs/report.md) would leave 2 of 6, under the reserve of 3: nothing is sent (it once
    // checked for 1 call, sent the details and said "about 1 API calls").
    expect((err as Error).message).toMatch(
      /needs at least 4 API calls, and 6 are left of today's budget, 3 of them kept/,
    );
    expect(h.sim.apiRequests() - before).toBe(0);
    expect(client.budget.usedToday()).toBe(h.sim.apiRequests() - before);
  });

  it("holds the reserve for the whole run when Zoom's participant count understates the joins", async () => {
    // Zoom's details say 1 participant; the QoS list then takes 5 pages, not 1.
    const m = await understatedMeeting(AFTER);
    const h = m.h;
    try {
      // 9 calls a day on Business, 3 of them kept: the first check sees 4 needed and 9 left.
      const client = s2sClient({ url: m.url, clock: h.clock }, { dailyShare: 0.00015 });
      const before = h.sim.apiRequests();
      const err = await makeReport(client, options(h, { reserve: 3 })).catch((e: unknown) => e);
      expect(isZoomError(err, 'ZOOM_BUDGET_EXHAUSTED'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(
        /^the report stopped after 6 API calls, before its next page: 3 calls are left of today's budget and 3 kept for live polling \(--reserve\); Zoom's participant count understated the pages to read \(about \d+ foretold\)\. Nothing was written/,
      );
      expect(h.sim.apiRequests() - before).toBe(6);
      expect(client.budget.remaining()).toBe(3);
    } finally {
      await m.close();
    }
  });

  it('partial (qoswatch report): ends with what it read, marked as cut by the budget, not with an error', async () => {
    const m = await understatedMeeting(AFTER);
    const h = m.h;
    try {
      const client = s2sClient({ url: m.url, clock: h.clock }, { dailyShare: 0.00015 });
      const before = h.sim.apiRequests();
      const r = await makeReport(client, options(h, { reserve: 3, partial: true }));
      expect(h.sim.apiRequests() - before).toBe(6);
      expect(r.calls).toBe(6);
      expect(client.budget.remaining()).toBe(3);
      // The details and the summary's 5 pages were read; the participants and QoS lists were not.
      expect(r.budgetCut).toEqual({
        reason: expect.stringMatching(
          /^the report stopped after 6 API calls, before its next page: 3 calls are left of today's budget and 3 kept for live polling \(--reserve\); Zoom's participant count understated the pages to read \(about \d+ foretold\)$/,
        ) as string,
        read: [{ listing: 'QoS summary list', pages: 5, whole: true }],
        notRead: ['participants list', 'QoS list'],
      });
      expect(r.participants).toHaveLength(45);
      const source = formatTable(r).split('\n')[1]!;
      expect(source).toMatch(
        /^Source: .* Cut by the budget: the report stopped after 6 API calls, .*\. Read: the details, the QoS summary list \(5 pages, whole\)\. Not read: the participants list, the QoS list\. Participants and figures past the cut are missing here/,
      );
      expect(JSON.parse(formatJson(r))).toMatchObject({
        budgetCut: { notRead: ['participants list', 'QoS list'] },
      });
    } finally {
      await m.close();
    }
  });
});

/** A small CSV reader: quoted cells with "" escapes and commas, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (quoted || (c !== ',' && c !== '\r' && c !== '\n')) cell += c;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    }
  }
  return rows;
}

describe('report formats, parsed back', () => {
  it('csv, json and md hold the figures of the report', async () => {
    h = await startSim(
      weeklyWith({
        user_id: '16783360',
        name: '=HYPERLINK("x"),"Eve" | *bold* &amp; _x_ `c` <b>',
        join: '2m',
      }),
      AFTER,
    );
    const r = await makeReport(s2sClient(h), options(h));
    const rows = parseCsv(formatCsv(r));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const col = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    const figureRows = rows.filter((x) => x[0] === 'figures');
    let checked = 0;
    for (const p of r.participants)
      for (const s of p.streams)
        for (const [m, f] of Object.entries(s.metrics)) {
          const row = figureRows.find(
            (x) => x[col('participant')] === p.key && x[col('stream')] === s.stream && x[col('metric')] === m,
          )!;
          expect(Number(row[col('max')])).toBe(f.max);
          expect(Number(row[col('p95')])).toBe(f.p95);
          checked++;
        }
    expect(checked).toBeGreaterThan(20);
    const breach = rows.find((x) => x[0] === 'breach')!;
    expect([breach[col('rule')], breach[col('minutes')]]).toEqual(['audio-latency-high', '10']);
    // A name is anyone's input: no spreadsheet formula, and it reads back whole.
    const eve = rows.find((x) => x[col('participant')] === '16783360')!;
    expect(eve[col('name')]).toBe(`'=HYPERLINK("x"),"Eve" | *bold* &amp; _x_ \`c\` <b>`);

    const json = JSON.parse(formatJson(r)) as Report & { generatedAt: string };
    expect(json.participants.map((p) => p.key)).toEqual(r.participants.map((p) => p.key));
    expect(json.participants[0]!.streams).toEqual(r.participants[0]!.streams);
    expect(json.source).toBe('qos_summary');
    expect(json.generatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const md = formatMarkdown(r);
    const tableRows = md.split('\n').filter((l) => /^\| audio_input +\| latency +\|/.test(l));
    expect(tableRows).toHaveLength(
      r.participants.filter((p) => p.streams.some((s) => s.stream === 'audio_input')).length,
    );
    // Cells split on unescaped pipes: the hostile name does not add a column.
    expect(md).toContain('\\*bold\\*');
    // '&amp;' in a name renders as '&amp;', not '&'; no emphasis, code or HTML from a name.
    expect(md).toContain('\\*bold\\* &amp;amp; \\_x\\_ \\`c\\` \\<b\\>');
    expect(
      md
        .split('\n')
        .find((l) => l.includes('| audio-latency-high |'))!
        .split(/(?<!\\)\|/).length,
    ).toBe(8);
  });
});
