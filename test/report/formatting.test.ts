import { afterEach, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/evaluate/metrics.js';
import { CSV_COLUMNS, formatCsv, formatJson } from '../../src/report/format-data.js';
import { formatHtml } from '../../src/report/format-html.js';
import { formatMarkdown, formatTable } from '../../src/report/format-text.js';
import { DECIMALS } from '../../src/report/figures.js';
import { makeReport } from '../../src/report/make.js';
import { messageHeadline } from '../../src/report/message.js';
import type { Report } from '../../src/report/types.js';
import { inspectTable } from '../../src/report/inspect-format.js';
import type { InspectView } from '../../src/report/inspect-view.js';
import { NAME_MAX } from '../../src/report/values.js';
import { s2sClient, startSim, type SimHarness } from '../helpers/sim.js';
import { reportOptions, weeklyWith } from './scenario.js';

/**
 * Report formatting: figures rounded to a documented precision per unit (docs/report.md,
 * "Figures"), with no float noise in JSON or CSV; a 10 KB participant name shortened with an
 * ellipsis in the table, Markdown, HTML and the message, whole in JSON, CSV and HTML's title.
 */
let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LONG = `Bob ${'x'.repeat(10_000)} end`;
const unitOf = new Map(METRICS.map((m) => [m.name, m.unit]));

/** Decimals of a number as JavaScript writes it (its shortest round-trip text). */
const decimals = (v: number): number => (String(v).split('.')[1] ?? '').length;

async function report(): Promise<Report> {
  h = await startSim(weeklyWith({ user_id: '16783360', name: LONG, join: '2m' }), 95 * 60_000);
  return makeReport(s2sClient(h), reportOptions(h));
}

/** A right-to-left override (reads "Eve exe.jpg"), a pop, an isolate, a carriage return and an escape: anyone's input. */
const RLO = '\u202e';
const EVIL_NAME = `Eve ${RLO}gpj.exe\u202c \u2067iso\u2069 a\rb \u001b[31mred\u0007`;
const LONG_TOPIC = `All hands ${'y'.repeat(300)} ${RLO}end`;
// eslint-disable-next-line no-control-regex -- the characters the outputs must not hold
const UNSEEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

async function evilReport(): Promise<Report> {
  const raw = weeklyWith({ user_id: '16783360', name: EVIL_NAME, join: '2m', location: `Paris${RLO}sinaP` });
  raw.meetings![0]!.topic = LONG_TOPIC;
  h = await startSim(raw, 95 * 60_000);
  return makeReport(s2sClient(h), reportOptions(h));
}

describe('report formatting', () => {
  it('rounds every figure to its unit’s precision in JSON and CSV, with no float noise', async () => {
    const r = await report();
    const json = JSON.parse(formatJson(r)) as Report;
    let checked = 0;
    let fractional = 0;
    for (const p of json.participants)
      for (const [metric, f] of [
        ...p.streams.flatMap((s) => Object.entries(s.metrics)),
        ...Object.entries(p.cpu),
      ])
        for (const v of [f.min, f.avg, f.max, f.p95]) {
          if (v === undefined) continue;
          const d = DECIMALS[unitOf.get(metric)!];
          expect(decimals(v), `${p.key} ${metric} ${v}`).toBeLessThanOrEqual(d);
          if (decimals(v) > 0) fractional++;
          checked++;
        }
    expect(checked).toBeGreaterThan(50);
    expect(fractional).toBeGreaterThan(10);
    for (const p of json.participants)
      for (const pt of p.timeline) {
        for (const k of ['latency', 'jitter'] as const)
          if (pt[k] !== undefined) expect(decimals(pt[k])).toBeLessThanOrEqual(DECIMALS.duration);
        if (pt.loss !== undefined) expect(decimals(pt.loss)).toBeLessThanOrEqual(DECIMALS.percent);
        if (pt.frameRate !== undefined) expect(decimals(pt.frameRate)).toBeLessThanOrEqual(DECIMALS.fps);
      }

    const rows = formatCsv(r).split('\r\n').slice(1, -1);
    const at = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    let cells = 0;
    for (const line of rows.filter((l) => l.startsWith('figures,'))) {
      // Names here have no comma or quote but the long one's, which is whole: split from the right.
      const row = line.split(',');
      const tail = row.slice(-(CSV_COLUMNS.length - at('stream')));
      const metric = tail[at('metric') - at('stream')]!;
      for (const c of ['min', 'avg', 'max', 'p95'] as const) {
        const text = tail[at(c) - at('stream')]!;
        if (!text) continue;
        expect(decimals(Number(text)), `${metric} ${text}`).toBeLessThanOrEqual(
          DECIMALS[unitOf.get(metric)!],
        );
        expect(String(Number(text))).toBe(text);
        cells++;
      }
    }
    expect(cells).toBe(checked);
  });

  it('shortens a 10 KB name with an ellipsis in table, md, html and the message; JSON, CSV and the title keep it whole', async () => {
    const r = await report();
    const short = `${LONG.slice(0, NAME_MAX - 1)}…`;
    expect(r.participants.some((p) => p.name === LONG)).toBe(true);
    for (const [format, text] of [
      ['table', formatTable(r)],
      ['md', formatMarkdown(r)],
      ['html', formatHtml(r).replace(/ title="[^"]*"/g, '')],
      ['message', messageHeadline(r)],
    ] as const) {
      expect(text, format).not.toContain('x'.repeat(NAME_MAX));
      if (format !== 'message' || text.includes('Bob')) expect(text, format).toContain(short);
    }
    const html = formatHtml(r);
    expect(html).toContain(`<span title="${LONG}">${short}</span>`);
    expect(formatTable(r).length).toBeLessThan(LONG.length);
    expect((JSON.parse(formatJson(r)) as Report).participants.map((p) => p.name)).toContain(LONG);
    expect(formatCsv(r)).toContain(`,${LONG},`);
  });

  it('shortens a long topic like names, and neutralises bidi and control characters in every format, JSON and CSV too', async () => {
    const r = await evilReport();
    // Made visible where Zoom's text enters (normalize/zoom-text.ts), as alerts are: one U+FFFD each.
    expect(r.instance.topic).toBe(LONG_TOPIC.replace(RLO, '\ufffd'));
    const shortTopic = `${LONG_TOPIC.slice(0, NAME_MAX - 1)}…`;
    for (const [format, text] of [
      ['table', formatTable(r)],
      ['md', formatMarkdown(r)],
      ['html', formatHtml(r)],
      ['message', messageHeadline(r)],
    ] as const) {
      // On the old code: the 300-character topic whole, and U+202E and the escape passed through.
      expect(text, format).not.toContain('y'.repeat(NAME_MAX));
      expect(text, format).toContain(shortTopic.replace(RLO, '\ufffd'));
      expect(text.replace(/\n/g, ''), format).not.toMatch(UNSEEN);
      if (format !== 'message')
        expect(text, format).toContain('Eve \ufffdgpj.exe\ufffd \ufffdiso\ufffd a\ufffdb');
    }
    expect(formatTable(r)).toContain('Eve \ufffdgpj.exe\ufffd \ufffdiso\ufffd a\ufffdb \ufffd[31mred\ufffd');
    expect(formatTable(r)).toContain('Paris\ufffdsinaP');
    // JSON and CSV: whole, but with what alerts show in place of the unseen characters (on the
    // old code, what Zoom sent: U+202E and the escape as they came).
    const json = JSON.parse(formatJson(r)) as Report;
    expect(json.instance.topic).toBe(LONG_TOPIC.replace(RLO, '\ufffd'));
    expect(json.participants.map((p) => p.name)).toContain(
      'Eve \ufffdgpj.exe\ufffd \ufffdiso\ufffd a\ufffdb \ufffd[31mred\ufffd',
    );
    expect(formatJson(r)).not.toMatch(/\\u202e|\\u001b/i);
    for (const c of [RLO, '\u001b']) expect(formatCsv(r)).not.toContain(c);
  });

  it('shows a participant key with a bidi override escaped in every format, and JSON keeps it raw (as \\u202e)', async () => {
    // A guest (no name) whose user_id holds U+202E: on the old code "Guest 1678‮3360" and
    // "[1678‮3360]" as they came in table, md, html and CSV, and the raw U+202E in JSON.
    const key = `1678${RLO}3360`;
    h = await startSim(weeklyWith({ user_id: key, name: '', join: '2m' }), 95 * 60_000);
    const r = await makeReport(s2sClient(h), reportOptions(h));
    const guest = r.participants.find((p) => p.key === key);
    // Joined and read by the raw key: its figures are there.
    expect(guest?.streams.length).toBeGreaterThan(0);
    for (const [format, text] of [
      ['table', formatTable(r)],
      ['md', formatMarkdown(r)],
      ['html', formatHtml(r)],
      ['csv', formatCsv(r)],
      ['json', formatJson(r)],
    ] as const) {
      expect(text, format).not.toContain(RLO);
      // Markdown writes the backslash as \\, which renders as one.
      expect(text, format).toContain(format === 'md' ? '1678\\\\u202e3360' : '1678\\u202e3360');
    }
    expect(formatTable(r)).toContain('Guest 1678\\u202e3360 (Windows, Wired)');
    expect(formatTable(r)).toContain('[1678\\u202e3360]');
    expect(formatCsv(r)).toContain(',1678\\u202e3360,');
    expect((JSON.parse(formatJson(r)) as Report).participants.map((p) => p.key)).toContain(key);
  });

  /** A name that fakes a row of its own: LF, CR LF, U+2028, U+2029 and NEL before text that reads like the next participant. */
  const FAKE = 'Eve\n2. Mallory [16783361]\r\n   Wired\u2028x\u2029y\u0085z';
  const FOLDED = 'Eve 2. Mallory [16783361]    Wired x y z';

  it('folds line breaks in names to a space in the table and the message: a name cannot fake a row (outside tester)', async () => {
    h = await startSim(
      weeklyWith({ user_id: '16783360', name: FAKE, join: '2m', network_type: 'Wifi\nFake' }),
      95 * 60_000,
    );
    const r = await makeReport(s2sClient(h), reportOptions(h));
    const table = formatTable(r);
    // On the old code the name broke the line: "2. Mallory" started a line of its own.
    expect(table).toContain(FOLDED);
    expect(table).not.toMatch(/^\s*2\. Mallory/m);
    expect(table).not.toMatch(/[\u2028\u2029\u0085]/);
    expect(table).toContain('Wifi Fake');
    expect(formatMarkdown(r)).toContain('Eve 2. Mallory');
    const message = messageHeadline(r);
    expect(message).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
    // JSON too: line breaks became spaces where Zoom's text entered (on the old code, FAKE as sent).
    expect((JSON.parse(formatJson(r)) as Report).participants.map((p) => p.name)).toContain(FOLDED);
  });

  it("inspect: names on one line and cut like the reports' (outside tester: whole, and broken over lines)", () => {
    const long = `Bob ${'x'.repeat(300)}`;
    const view: InspectView = {
      instance: {
        kind: 'meeting',
        id: '555',
        uuid: 'u==',
        topic: `Standup\nFake ${'y'.repeat(300)}`,
        participants: 2,
        activeAlerts: 0,
      },
      source: 'Zoom',
      generatedAt: 0,
      columns: ['latency'],
      rules: [],
      participants: [
        {
          key: '1',
          name: FAKE,
          email: '',
          context: { location: 'Paris\r\nFake' },
          rows: [{ t: 0, values: { latency: 0.1 }, over: [] }],
          alerts: [],
        },
        {
          key: '2',
          name: long,
          email: '',
          context: {},
          rows: [{ t: 0, values: { latency: 0.1 }, over: [] }],
          alerts: [],
        },
      ],
      alerts: [],
    };
    const short = `${long.slice(0, NAME_MAX - 1)}…`;
    for (const text of [
      inspectTable(view),
      inspectTable(view, view.participants[0]),
      inspectTable(view, view.participants[1]),
    ]) {
      expect(text).not.toMatch(/^\s*2\. Mallory|^\s*Fake/m);
      expect(text).not.toMatch(/[\u2028\u2029\u0085]/);
      expect(text).not.toContain('x'.repeat(NAME_MAX));
      expect(text).not.toContain('y'.repeat(NAME_MAX));
    }
    expect(inspectTable(view)).toContain(`${short} [2]`);
    expect(inspectTable(view)).toContain(`${FOLDED} [1]`);
    expect(inspectTable(view, view.participants[0])).toContain('Paris Fake');
    expect(inspectTable(view, view.participants[1])).toContain(`${short} [2]`);
    // A key with a bidi override is shown escaped (on the old code, as it came).
    const bidi = { ...view, participants: [{ ...view.participants[0]!, key: `9${RLO}9` }] };
    expect(inspectTable(bidi)).toContain(`${FOLDED} [9\\u202e9]`);
    expect(inspectTable(bidi)).not.toContain(RLO);
  });

  it('words for one: "the only participant had poor audio", and the HTML device without words twice (outside tester)', async () => {
    const full = await report();
    const one = full.participants.find((p) => p.breaches.length)!;
    const r: Report = {
      ...full,
      participants: [
        { ...one, context: { ...one.context, device: 'Windows', os: 'windows', osVersion: '10' } },
      ],
    };
    // "1 of 1 participants had poor audio" on the old code.
    expect(messageHeadline(r)).toMatch(/ ended: the only participant had poor audio for up to \d+ min; /);
    expect(messageHeadline(full)).toMatch(/ ended: 1 of \d+ participants had poor /);
    const html = formatHtml(r);
    expect(html).toContain('Windows 10'); // "Windows windows 10" on the old code
    expect(html).not.toMatch(/Windows windows/i);
    // The table's and Markdown's context line name the device once too, with its system's
    // version beside it ("Windows, Wired, ..., windows" on the old code).
    expect(formatTable(r)).toMatch(/^ {3}Windows 10, Wifi, /m);
    expect(formatMarkdown(r)).toMatch(/^Context: Windows 10, Wifi, /m);
    for (const text of [formatTable(r), formatMarkdown(r)]) expect(text).not.toMatch(/windows/);
  });
});
