import { afterEach, describe, expect, it } from 'vitest';
import { CHARTED, formatHtml, PALETTE } from '../../src/report/format-html.js';
import { REPORT_FORMATS } from '../../src/report/formats.js';
import { makeReport } from '../../src/report/make.js';
import { s2sClient, startSim, type SimHarness } from '../helpers/sim.js';
import { HOSTILE, HOSTILE_WEEKLY, reportOptions, WEEKLY } from './scenario.js';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const AFTER = 95 * 60_000;

const esc = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** WCAG relative luminance and contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string): number => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

describe('qoswatch report --format html', () => {
  it('escapes every string from Zoom: hostile names, topic, location and data center stay text', async () => {
    h = await startSim(HOSTILE_WEEKLY, AFTER);
    const r = await makeReport(s2sClient(h), reportOptions(h));
    expect(REPORT_FORMATS.html).toBe(formatHtml);
    const html = formatHtml(r);
    // No markup from Zoom: no script, iframe, img or event handler anywhere in the page.
    expect(html).not.toMatch(/<(script|iframe|img)\b|<svg onload/i);
    for (const s of Object.values(HOSTILE)) expect(html, s).toContain(esc(s));
    // In the chart's accessible name too (inside <title>, inside <svg>).
    expect(html).toContain(`<title id="c`);
    expect(html).toMatch(
      new RegExp(`Latency of ${esc(HOSTILE.name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    // Every src/href stays in the page (anchors) or is data: (the icon): nothing is fetched.
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(3);
    for (const ref of refs) expect(ref).toMatch(/^(#|data:)/);
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-/,
    );
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('draws per participant the timelines against the thresholds, the alert period, and the worst minutes', async () => {
    h = await startSim(WEEKLY, AFTER);
    const r = await makeReport(s2sClient(h), reportOptions(h));
    const html = formatHtml(r);
    const charts = [...html.matchAll(/<svg class="chart"[^>]*data-metric="([^"]+)">(.*?)<\/svg>/g)];
    // Three participants with audio and video: latency, jitter, loss and frame rate each.
    expect(charts.map((c) => c[1])).toEqual(
      Array<string[]>(3).fill(['latency', 'jitter', 'avg_loss', 'frame_rate']).flat(),
    );
    const cy = r.participants[0]!;
    expect(cy.name).toBe('Cy');
    const cyLatency = charts[0]![2]!;
    // A dot (or, when over a rule, a square) per sample, and the line through them.
    expect(cyLatency.match(/class="pt( over)?"/g)).toHaveLength(cy.timeline.length);
    // The ten minutes over audio-latency-high are squares, as in the breach table.
    expect(cyLatency.match(/class="pt over"/g)).toHaveLength(10);
    expect(cyLatency).toMatch(/<path class="series" d="M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+" fill="none"\/>/);
    // audio-latency-high's threshold, dashed and written; the alert's period hatched and named.
    expect(cyLatency).toContain('<g class="threshold" data-value="0.3">');
    expect(cyLatency).toContain('&gt; 300 ms');
    expect(cyLatency.match(/<rect class="alert"[^>]*fill="url\(#qw-hatch\)"/g)).toHaveLength(1);
    expect(cyLatency).toContain('alert: audio-latency-high');
    expect(html).toContain('<pattern id="qw-hatch"');
    // Nobody else breached: no square, no alert period on their charts.
    expect(charts.slice(4).some((c) => /class="pt over"|class="alert"/.test(c[2]!))).toBe(false);
    // The accessible description says it in words.
    expect(cyLatency).toMatch(
      /<desc id="c1-latency-d">Latency of Cy, .*10 samples breach a rule\. Alerts: audio-latency-high 11:12–11:2\d\.<\/desc>/,
    );

    // The worst minutes: ten of Cy's, each over audio-latency-high, marked with a sign, not only a colour.
    const worst = html.slice(html.indexOf('<caption>Worst minutes</caption>'));
    const rows = worst.slice(0, worst.indexOf('</tbody>')).match(/<tr><td/g)!;
    expect(rows).toHaveLength(10);
    const firstRow = worst.slice(worst.indexOf('<tbody>'), worst.indexOf('</tr>', worst.indexOf('<tbody>')));
    expect(firstRow).toContain('<a href="#p1">Cy</a>');
    expect(firstRow).toMatch(/<span class="over-cell">▲ 5\d\d ms<\/span>/);
    expect(firstRow).toContain('audio-latency-high (&gt; 300 ms)');
    // Context for each participant.
    expect(html).toMatch(/<dt>Network<\/dt><dd>Wifi, UDP<\/dd>/);
    expect(html).toMatch(/<dt>Data center<\/dt><dd>SC<\/dd>/);
    // Only a report without participants says Zoom returned none.
    expect(html).not.toContain('Zoom returned no participant');
    expect(formatHtml({ ...r, participants: [] })).toContain(
      'Zoom returned no participant for this instance.',
    );
  });

  it('without per-minute samples (the QoS summary alone) says so and shows the summary figures', async () => {
    h = await startSim(WEEKLY, AFTER);
    const r = await makeReport(s2sClient(h), reportOptions(h, { source: 'summary' }));
    expect(r.source).toBe('qos_summary');
    const html = formatHtml(r);
    expect(html).toContain('id="no-timelines"');
    expect(html).toContain("Made from Zoom's QoS summary alone");
    expect(html).not.toContain('<svg class="chart"');
    expect(html).not.toContain('Worst minutes');
    // Each participant's figures, open rather than folded.
    expect(html.match(/<details open><summary>Figures per stream/g)).toHaveLength(3);
    const cy = r.participants.find((p) => p.name === 'Cy')!;
    const max = cy.streams.find((s) => s.stream === 'audio_output')!.metrics.latency!.max!;
    expect(html).toContain(`<td class="num">${Math.round(max * 1000)} ms</td>`);
  });

  it('uses colours with WCAG AA contrast: 4.5:1 for text, 3:1 for lines and marks', () => {
    const P = PALETTE;
    for (const fg of [P.text, P.muted, P.series, P.bad])
      expect(contrast(fg, P.background), fg).toBeGreaterThanOrEqual(4.5);
    expect(contrast(P.alertText, P.alertBackground)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(P.bad, P.alertBackground)).toBeGreaterThanOrEqual(3);
    expect(contrast(P.series, P.alertBackground)).toBeGreaterThanOrEqual(3);
    expect(contrast(P.text, P.noteBackground)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(P.axis, P.background)).toBeGreaterThanOrEqual(3);
    // The check itself: black on white is 21:1, and a light grey fails.
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#aaaaaa', '#ffffff')).toBeLessThan(3);
  });

  it('draws timelines for the worst participants only, so a 600-participant call stays a page one can mail', async () => {
    h = await startSim(WEEKLY, AFTER);
    const one = await makeReport(s2sClient(h), reportOptions(h));
    const withTimeline = one.participants.filter((p) => p.timeline.length);
    expect(withTimeline.length).toBeGreaterThan(0);
    // The same call with 600 participants: copies of the real ones under their own keys.
    const participants = Array.from({ length: 600 }, (_, i) => {
      const p = withTimeline[i % withTimeline.length]!;
      return { ...p, key: `${p.key}-${i}`, name: `${p.name ?? 'p'} ${i}` };
    });
    const small = formatHtml({ ...one, participants: participants.slice(0, CHARTED) });
    const big = formatHtml({ ...one, participants });
    const charts = (html: string): number => (html.match(/<div class="charts">/g) ?? []).length;
    expect(charts(small)).toBe(CHARTED);
    expect(charts(big)).toBe(CHARTED);
    expect(big).toContain(`the other ${600 - CHARTED} have their figures and the worst minutes only`);
    expect(small).not.toContain('id="charted"');
    // Every participant still has a section with the figures.
    expect((big.match(/<section class="participant"/g) ?? []).length).toBe(600);
    // Each participant past the charted ones adds its figures, not another chart set.
    const perCharted = small.length / CHARTED;
    expect((big.length - small.length) / (600 - CHARTED)).toBeLessThan(perCharted / 2);
  });
});
