import { escapeHtml as esc } from '../util/html.js';
import type { Threshold } from './minutes.js';
import { hhmm, show } from './values.js';

/** One timeline chart: a participant's series against the rules' thresholds, alerts shaded. */
export interface ChartInput {
  /** Unique in the page and safe in an attribute (made by the renderer, never from Zoom). */
  id: string;
  /** The chart's accessible name (plain text: escaped here). */
  title: string;
  /** The accessible description: what the chart shows, in words (plain text). */
  desc: string;
  metric: string;
  /** Time axis, epoch ms: the same for every chart of a report so that they line up. */
  domain: readonly [number, number];
  points: readonly { t: number; v: number; over: boolean }[];
  thresholds: readonly Threshold[];
  alerts: readonly { since: number; until: number; rule: string }[];
}

// The chart's own coordinates (viewBox): narrow enough that an 11-unit label stays about 10 px
// on a 360 px phone; the SVG scales to its column's width.
const W = 360;
const H = 170;
const L = 50;
const R = 8;
const T = 16;
const B = 22;
const PLOT_W = W - L - R;
const PLOT_H = H - T - B;

const n1 = (v: number): string => String(Math.round(v * 10) / 10);

/** A round step that splits `span` into at most `count` parts. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
}

/** Time ticks on whole minutes (1, 2, 5, 10, 15, 30 min, then hours), at most five. */
function timeTicks(from: number, to: number): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 1440].map((m) => m * 60_000);
  const step = steps.find((s) => (to - from) / s <= 5) ?? steps.at(-1)!;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

/** Where the line breaks: a gap wider than 2.5 sampling intervals (or 150 s) is not drawn across. */
function gapOf(points: readonly { t: number }[]): number {
  const dts = points
    .slice(1)
    .map((p, i) => p.t - points[i]!.t)
    .sort((a, b) => a - b);
  const median = dts[Math.floor(dts.length / 2)] ?? 60_000;
  return Math.max(150_000, 2.5 * median);
}

/**
 * The SVG of one chart, rendered here (no browser, no script): the series as a line with a dot
 * per sample, a square (not only a colour) where the sample breaches a rule, each threshold as
 * a dashed line with its value written, and the alerts' periods hatched and named.
 */
export function chartSvg(c: ChartInput): string {
  const [t0, t1] = c.domain[1] > c.domain[0] ? c.domain : [c.domain[0] - 60_000, c.domain[0] + 60_000];
  const top0 = Math.max(0, ...c.points.map((p) => p.v), ...c.thresholds.map((t) => t.value));
  const step = niceStep(top0 > 0 ? top0 * 1.08 : 1, 4);
  const top = Math.max(step, Math.ceil((top0 * 1.08) / step) * step);
  const x = (t: number): number => L + ((t - t0) / (t1 - t0)) * PLOT_W;
  const y = (v: number): number => T + PLOT_H - (Math.min(Math.max(v, 0), top) / top) * PLOT_H;
  const out: string[] = [
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${c.id}-t ${c.id}-d" data-metric="${esc(c.metric)}">`,
    `<title id="${c.id}-t">${esc(c.title)}</title><desc id="${c.id}-d">${esc(c.desc)}</desc>`,
  ];
  for (const a of c.alerts) {
    const xa = x(Math.max(a.since, t0));
    const w = Math.max(2, x(Math.min(a.until, t1)) - xa);
    out.push(
      `<g class="alert-period"><rect class="alert" x="${n1(xa)}" y="${T}" width="${n1(w)}" height="${PLOT_H}" fill="url(#qw-hatch)"/>`,
      `<text class="alert-label" x="${n1(xa + 2)}" y="${T - 4}">alert: ${esc(a.rule)}</text></g>`,
    );
  }
  for (let v = 0; v <= top + step / 1000; v += step) {
    out.push(
      `<line class="grid" x1="${L}" x2="${W - R}" y1="${n1(y(v))}" y2="${n1(y(v))}"/>`,
      `<text class="tick" x="${L - 4}" y="${n1(y(v) + 4)}" text-anchor="end">${esc(show(c.metric, v))}</text>`,
    );
  }
  for (const t of timeTicks(t0, t1)) {
    const xt = x(t);
    const anchor = xt > W - R - 16 ? 'end' : xt < L + 16 ? 'start' : 'middle';
    out.push(`<text class="tick" x="${n1(xt)}" y="${H - 6}" text-anchor="${anchor}">${hhmm(t)}</text>`);
  }
  out.push(
    `<line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${T + PLOT_H}"/>`,
    `<line class="axis" x1="${L}" x2="${W - R}" y1="${T + PLOT_H}" y2="${T + PLOT_H}"/>`,
  );
  for (const th of c.thresholds) {
    const yt = y(th.value);
    const label = yt - T < 12 ? yt + 12 : yt - 4;
    out.push(
      `<g class="threshold" data-value="${th.value}"><line class="th" x1="${L}" x2="${W - R}" y1="${n1(yt)}" y2="${n1(yt)}"/>`,
      `<text class="th-label" x="${W - R - 2}" y="${n1(label)}" text-anchor="end">${esc(th.text)}</text></g>`,
    );
  }
  const gap = gapOf(c.points);
  const d = c.points
    .map((p, i) => `${i === 0 || p.t - c.points[i - 1]!.t > gap ? 'M' : 'L'}${n1(x(p.t))} ${n1(y(p.v))}`)
    .join('');
  // fill="none" written out too: without the page's style (a mail client's viewer) the line stays a line.
  if (d) out.push(`<path class="series" d="${d}" fill="none"/>`);
  for (const p of c.points)
    out.push(
      p.over
        ? `<rect class="pt over" x="${n1(x(p.t) - 2.8)}" y="${n1(y(p.v) - 2.8)}" width="5.6" height="5.6"/>`
        : `<circle class="pt" cx="${n1(x(p.t))}" cy="${n1(y(p.v))}" r="2"/>`,
    );
  out.push('</svg>');
  return out.join('');
}

/** The hatch the alert periods are filled with, defined once per page. */
export const HATCH_DEFS =
  '<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>' +
  '<pattern id="qw-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
  '<rect width="6" height="6" fill="#fde7e7"/><line x1="0" y1="0" x2="0" y2="6" stroke="#a61b1b" stroke-width="1.6" stroke-opacity="0.5"/>' +
  '</pattern></defs></svg>';
