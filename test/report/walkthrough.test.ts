import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { formatMarkdown } from '../../src/report/format-text.js';
import { makeReport } from '../../src/report/make.js';
import { loadScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { s2sClient } from '../helpers/sim.js';
import { reportOptions } from './scenario.js';

/**
 * docs/report.md's walkthrough says what a reader's own run shares with the example it prints
 * (docs/report/weekly-sync.report.md, made with the scenario started at 2026-11-20 10:00 UTC,
 * which cli.test.ts checks verbatim): with the scenario started at other times, the Markdown
 * differs only in its numbers (dates, times and figures), not in its participants, their order,
 * the rules breached, the alerts or the rows of any table.
 */
const STARTS = ['2026-12-02T05:37:13Z', '2027-03-09T17:04:00Z', '2026-12-02T05:38:00Z'];

/** The Markdown with every number masked and runs of spaces and dashes (table padding) folded. */
const shape = (md: string): string =>
  md
    .replace(/^- \*\*Generated:\*\* .*$/m, '')
    .replace(/\d+(\.\d+)?/g, '#')
    .replace(/-+/g, '-')
    .replace(/ +/g, ' ');

let sim: ZoomSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('the report walkthrough of docs/report.md, started at other times', () => {
  it.each(STARTS)('differs from the printed example in its numbers only (start %s)', async (at) => {
    const start = Date.parse(at);
    const clock = new VirtualClock(start + 95 * 60_000);
    sim = new ZoomSimulator(loadScenario(fromRoot('docs', 'report', 'weekly-sync.yaml'), start), clock);
    const url = await sim.listen(0, '127.0.0.1');
    const h = { url, clock, sim, close: () => sim!.close() };
    const r = await makeReport(s2sClient(h), reportOptions(h));
    const printed = readFileSync(fromRoot('docs', 'report', 'weekly-sync.report.md'), 'utf8');
    const md = formatMarkdown(r);
    expect(md).not.toBe(printed);
    expect(shape(md)).toBe(shape(printed));
  });
});
