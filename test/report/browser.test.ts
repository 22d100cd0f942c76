import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHtml } from '../../src/report/format-html.js';
import { makeReport } from '../../src/report/make.js';
import type { Report } from '../../src/report/types.js';
import { fromRoot } from '../../src/util/package-root.js';
import { debianBinary } from '../helpers/binaries.js';
import { s2sClient, startSim } from '../helpers/sim.js';
import { HOSTILE, HOSTILE_WEEKLY, reportOptions } from './scenario.js';

/**
 * The HTML report in a real browser: Debian's Chromium (installed by .ci/run; required on CI,
 * skipped and listed elsewhere), driven by playwright-core. Screenshots and the page are kept
 * under test/output/ for people to look at.
 */
const executablePath = debianBinary('chromium', 'chromium');
const OUT = fromRoot('test', 'output');
const PROBE = readFileSync(fromRoot('test', 'report', 'page-probe.js'), 'utf8');

/** What page-probe.js returns. */
interface Seen {
  charts: number;
  metrics: (string | null)[];
  chartWidths: number[];
  points: number;
  over: number;
  overAbove: boolean;
  restBelow: boolean;
  thresholdWidth: number;
  seriesLength: number;
  alertWidth: number;
  alertFill: string;
  hatchDefined: boolean;
  chartName: string;
  tickHeight: number;
  worstRows: number;
  worstFirst: string;
  worstVisible: boolean;
  headings: (string | null)[];
  title: string;
  markup: number;
  pageWidth: number;
  innerWidth: number;
}

let browser: Browser | undefined;
let report: Report;
let url: string;

beforeAll(async () => {
  if (!executablePath) return;
  // The report as qoswatch makes it: over HTTP from the simulator, meeting 777's second
  // instance with participants whose names, location and data center are hostile markup.
  const h = await startSim(HOSTILE_WEEKLY, 95 * 60_000);
  try {
    report = await makeReport(s2sClient(h), reportOptions(h));
  } finally {
    await h.close();
  }
  mkdirSync(OUT, { recursive: true });
  const file = `${OUT}/report-weekly.html`;
  writeFileSync(file, formatHtml(report));
  url = pathToFileURL(file).href;
  browser = await chromium.launch({ executablePath, timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 900 }, isMobile: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true },
] as const;

describe.runIf(executablePath)('the HTML report in headless Chromium', () => {
  for (const v of VIEWPORTS)
    it(`renders its charts and tables with no error and no request (${v.name}, ${v.viewport.width}px)`, async () => {
      const context = await browser!.newContext({
        viewport: v.viewport,
        isMobile: v.isMobile,
        hasTouch: v.isMobile,
        deviceScaleFactor: 1,
      });
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(url, { waitUntil: 'load' });

      const seen = await page.evaluate<Seen>(PROBE);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: `${OUT}/report-${v.name}.png`, fullPage: true });
      await context.close();

      expect(problems).toEqual([]);
      // Nothing but the file itself was loaded: no font, script, style or image from anywhere.
      expect(requests).toEqual([url]);

      const withTimeline = report.participants.filter((p) => p.timeline.length).length;
      expect(withTimeline).toBe(5);
      expect(seen.charts).toBe(4 * withTimeline);
      expect(seen.metrics.slice(0, 4)).toEqual(['latency', 'jitter', 'avg_loss', 'frame_rate']);
      const cy = report.participants[0]!;
      expect(cy.name).toBe('Cy');
      expect(seen.points).toBe(cy.timeline.length);
      expect(seen.over).toBe(10);
      expect(seen.overAbove).toBe(true);
      expect(seen.restBelow).toBe(true);
      expect(seen.thresholdWidth).toBeGreaterThan(v.viewport.width > 500 ? 300 : 250);
      expect(seen.seriesLength).toBeGreaterThan(200);
      expect(seen.alertWidth).toBeGreaterThan(20);
      expect(seen.alertFill).toMatch(/url\("?#qw-hatch"?\)/);
      expect(seen.hatchDefined).toBe(true);
      expect(seen.chartName).toMatch(
        /^Latency of Cy \| Latency of Cy, .* Alerts: audio-latency-high 11:12–11:2\d\.$/,
      );
      // Every chart fits its column, and the page does not scroll sideways (phone included).
      for (const w of seen.chartWidths) expect(w).toBeLessThanOrEqual(v.viewport.width);
      expect(seen.pageWidth).toBeLessThanOrEqual(seen.innerWidth);
      // Axis labels stay legible when the chart shrinks to a phone's width.
      expect(seen.tickHeight).toBeGreaterThanOrEqual(9);
      expect(seen.worstRows).toBe(10);
      expect(seen.worstFirst).toMatch(/^11:\d\dCy▲ 5\d\d ms/);
      expect(seen.worstVisible).toBe(true);
      // Hostile names are text: shown as written, no element made of them.
      expect(seen.markup).toBe(0);
      expect(seen.headings.some((t) => t!.includes(HOSTILE.name))).toBe(true);
      expect(seen.headings.some((t) => t!.includes(HOSTILE.quote))).toBe(true);
      expect(seen.title).toContain(HOSTILE.topic);
    });
});
