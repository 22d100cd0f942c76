import { createHash } from 'node:crypto';
import { shownKey } from '../normalize/zoom-text.js';
import { escapeHtml as esc } from '../util/html.js';
import { uniqueWords } from '../util/words.js';
import { chartSvg, HATCH_DEFS } from './html-chart.js';
import { pointOver, SERIES, thresholdsOf, worstMinutes, type WorstMinute } from './minutes.js';
import type { FiredAlert, ParticipantReport, Report } from './types.js';
import { figureCells, headline, hhmm, human, inCall, iso, shortWho, show, titleLine, who } from './values.js';

/**
 * The page's colours, each pair chosen for WCAG AA on its background (text 4.5:1, lines and
 * marks 3:1; test/report/html.test.ts computes the ratios). Colour is never the only cue:
 * breaching samples are squares, thresholds dashed, alert periods hatched and labelled.
 */
/**
 * Participants (worst first) drawn as timelines. A chart set is ~30 KB for half an hour, so
 * 600 participants made a 20 MB page, past many mail servers' limits: the rest get their
 * figures only.
 */
export const CHARTED = 40;

export const PALETTE = {
  background: '#ffffff',
  text: '#1b1b1b',
  muted: '#4a4a4a',
  series: '#0b5cad',
  bad: '#a61b1b',
  alertBackground: '#fde7e7',
  alertText: '#7a1212',
  axis: '#767676',
  noteBackground: '#eef4fb',
} as const;

const P = PALETTE;
const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:${P.background};color:${P.text};font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.2rem 0 .5rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:0 0 .3rem;overflow-wrap:anywhere}
h3{font-size:1rem;margin:1rem 0 .3rem}
p,li{overflow-wrap:anywhere}
.muted,.meta{color:${P.muted}}
.meta{margin:.1rem 0}
main>h2{margin-top:1.2rem}
.note{border-left:4px solid ${P.series};background:${P.noteBackground};padding:.5rem .8rem}
.headline{font-weight:600}
.participant{border-top:1px solid #b0b0b0;margin-top:1.5rem;padding-top:1rem}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,26rem),1fr));gap:.8rem 1.5rem}
figure{margin:0}
figcaption{font-weight:600;font-size:.95rem}
figcaption span{font-weight:400;color:${P.muted}}
svg.chart{display:block;width:100%;height:auto}
svg.defs{position:absolute}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:11px;fill:${P.text}}
.grid{stroke:#dcdcdc;stroke-width:1}
.axis{stroke:${P.axis};stroke-width:1}
.series{fill:none;stroke:${P.series};stroke-width:1.6;stroke-linejoin:round}
.pt{fill:${P.series}}
.pt.over{fill:${P.bad}}
.th{stroke:${P.bad};stroke-width:1.4;stroke-dasharray:6 4}
svg .th-label{fill:${P.bad};font-weight:600}
.alert{stroke:${P.bad};stroke-width:.6}
svg .alert-label{fill:${P.alertText};font-size:10px}
.legend{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;padding:0;list-style:none;font-size:.9rem}
.legend svg{vertical-align:middle;margin-right:.3rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.9rem;margin:.3rem 0}
caption{text-align:left;color:${P.muted};padding:.2rem 0;caption-side:top;white-space:nowrap}
th,td{padding:.25rem .55rem;border-bottom:1px solid #c8c8c8;text-align:left;vertical-align:top}
td{white-space:nowrap}
td.name{white-space:normal;overflow-wrap:anywhere;min-width:7rem}
td.num,th.num{text-align:right}
.over-cell{color:${P.bad};font-weight:700}
dl.context{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1rem .9rem;margin:.4rem 0}
dl.context dt{color:${P.muted}}
dl.context dd{margin:0;overflow-wrap:anywhere}
details{margin:.6rem 0}
summary{cursor:pointer;color:${P.series}}
a{color:${P.series}}
`;
const CSS_HASH = createHash('sha256').update(CSS).digest('base64');
/** Nothing loads from anywhere; the one style block runs by its hash; no script at all. */
const CSP = `default-src 'none'; style-src 'sha256-${CSS_HASH}'; img-src data:`;

const LEGEND =
  '<ul class="legend" aria-label="How to read the charts">' +
  `<li><svg width="28" height="10" aria-hidden="true"><path d="M1 7L14 3L27 6" fill="none" stroke="${P.series}" stroke-width="1.6"/><circle cx="14" cy="3" r="2" fill="${P.series}"/></svg>measured, one dot per sample (minute)</li>` +
  `<li><svg width="12" height="10" aria-hidden="true"><rect x="3" y="2" width="6" height="6" fill="${P.bad}"/></svg>square: the sample breaches a rule</li>` +
  `<li><svg width="28" height="10" aria-hidden="true"><line x1="0" x2="28" y1="5" y2="5" stroke="${P.bad}" stroke-width="1.4" stroke-dasharray="6 4"/></svg>dashed: a rule's threshold</li>` +
  `<li><svg width="20" height="12" aria-hidden="true"><rect width="20" height="12" fill="url(#qw-hatch)" stroke="${P.bad}" stroke-width=".6"/></svg>hatched: an alert firing</li>` +
  '</ul>';

const span = (from?: number, to?: number): string =>
  `${hhmm(from)}–${to !== undefined ? hhmm(to) : 'still firing'}`;

/** A table of cells already written as HTML; `classes` by column index ("num" aligns right). */
function table(
  caption: string,
  head: string[],
  rows: string[][],
  classes: Record<number, string> = {},
): string {
  const cls = (i: number): string => (classes[i] ? ` class="${classes[i]}"` : '');
  const th = head.map((h, i) => `<th scope="col"${cls(i)}>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`).join('');
  return `<div class="scroll"><table><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** Context worth a glance, as a definition list: device, network, data center, location, client. */
function contextList(p: ParticipantReport, live: boolean): string {
  const c = p.context;
  const items: [string, string | undefined][] = [
    // Zoom often gives the same word twice (device "Windows", os "Windows"): once each.
    ['Device', uniqueWords([c.device, c.os, c.osVersion]) || undefined],
    ['Network', [c.networkType, c.connectionType].filter(Boolean).join(', ') || undefined],
    ['Data center', c.dataCenter],
    ['Location', c.location],
    ['Client', c.client || c.version],
    ['Browser', [c.browser, c.browserVersion].filter(Boolean).join(' ') || undefined],
    ['E-mail', p.email || undefined],
    ['In the call', inCall(p, live, '–')],
  ];
  const shown = items.filter(([, v]) => v);
  if (!shown.length)
    return '<p class="muted">Zoom gave no context (device, network, location) for this participant.</p>';
  return `<dl class="context">${shown.map(([k, v]) => `<dt>${k}</dt><dd>${esc(v!)}</dd>`).join('')}</dl>`;
}

const alertItem = (a: FiredAlert): string =>
  `<li><strong>${esc(a.rule)}</strong> (${esc(a.severity)}) ${span(a.since, a.until)} UTC: ${esc(a.value)}, threshold ${esc(a.threshold)}</li>`;

/** A participant's name as text, shortened, with the whole name in a title attribute when cut. */
function nameHtml(p: ParticipantReport): string {
  const short = shortWho(p);
  return short === who(p) ? esc(short) : `<span title="${esc(who(p))}">${esc(short)}</span>`;
}

/** The participant's four charts, all on the report's time axis. */
function charts(r: Report, p: ParticipantReport, n: number, domain: readonly [number, number]): string {
  const figures: string[] = [];
  for (const s of SERIES) {
    const points = p.timeline
      .filter((pt) => pt[s.key] !== undefined)
      .map((pt) => ({ t: pt.t, v: pt[s.key]!, over: pointOver(pt, r.rules, s.metric) }));
    if (!points.length) continue;
    const thresholds = thresholdsOf(r.rules, s.metric);
    const alerts = p.alerts
      .filter((a) => r.rules.some((rule) => rule.name === a.rule && rule.metric === s.metric))
      .map((a) => ({ since: a.since, until: a.until ?? domain[1], rule: a.rule }));
    const values = points.map((x) => x.v);
    const over = points.filter((x) => x.over).length;
    const desc =
      `${s.label} of ${shortWho(p)}, ${s.holds}, ${points.length} samples ${hhmm(points[0]!.t)}–${hhmm(points.at(-1)!.t)} UTC: ` +
      `lowest ${show(s.metric, Math.min(...values))}, highest ${show(s.metric, Math.max(...values))}. ` +
      (thresholds.length
        ? `Thresholds ${thresholds.map((t) => `${t.text} (${t.rules.join(', ')})`).join('; ')}; ${over} samples breach a rule. `
        : 'No rule on this metric. ') +
      (alerts.length
        ? `Alerts: ${alerts.map((a) => `${a.rule} ${span(a.since, a.until)}`).join('; ')}.`
        : 'No alert.');
    const id = `c${n}-${s.key}`;
    figures.push(
      `<figure><figcaption>${s.label} <span>(${esc(s.holds)})</span></figcaption>${chartSvg({
        id,
        title: `${s.label} of ${shortWho(p)}`,
        desc,
        metric: s.metric,
        domain,
        points,
        thresholds,
        alerts,
      })}</figure>`,
    );
  }
  return `<div class="charts">${figures.join('')}</div>`;
}

function figuresTable(p: ParticipantReport, open: boolean): string {
  const rows: string[][] = [];
  for (const s of p.streams)
    for (const [metric, f] of Object.entries(s.metrics))
      rows.push([esc(s.stream), esc(metric), ...figureCells(metric, f).map(esc)]);
  for (const [metric, f] of Object.entries(p.cpu))
    rows.push(['(device)', esc(metric), ...figureCells(metric, f).map(esc)]);
  if (!rows.length) return '';
  return `<details${open ? ' open' : ''}><summary>Figures per stream (min, avg, max, p95)</summary>${table(
    `${shortWho(p)}: figures per stream`,
    ['stream', 'metric', 'min', 'avg', 'max', 'p95'],
    rows,
    { 2: 'num', 3: 'num', 4: 'num', 5: 'num' },
  )}</details>`;
}

function participantSection(
  r: Report,
  p: ParticipantReport,
  n: number,
  domain: readonly [number, number],
  /** Whether this participant is among the worst {@link CHARTED} with per-minute samples. */
  drawn: boolean,
): string {
  const out = [
    `<section class="participant" id="p${n}" aria-labelledby="p${n}-h">`,
    `<h2 id="p${n}-h">${n}. ${nameHtml(p)} <span class="muted">(${esc(shownKey(p.key))})</span></h2>`,
    contextList(p, r.instance.live),
  ];
  if (p.breaches.length)
    out.push(
      table(
        'Minutes over each rule',
        ['rule', 'severity', 'metric', 'threshold', 'minutes', 'worst'],
        p.breaches.map((b) =>
          [b.rule, b.severity, b.metric, b.threshold, String(b.minutes), b.worst].map(esc),
        ),
        { 4: 'num' },
      ),
    );
  if (p.alerts.length) out.push('<h3>Alerts</h3>', `<ul>${p.alerts.map(alertItem).join('')}</ul>`);
  if (drawn) out.push(charts(r, p, n, domain));
  else if (p.timeline.length)
    out.push(
      `<p class="note">No timelines for ${nameHtml(p)}: they are drawn for the ${CHARTED} worst participants only; the figures are below.</p>`,
    );
  else
    out.push(
      `<p class="note">No per-minute samples for ${nameHtml(p)}${r.source === 'qos_summary' ? " (this report was made from Zoom's QoS summary alone)" : ''}: the summary figures are below, instead of timelines.</p>`,
    );
  out.push(figuresTable(p, !p.timeline.length), '</section>');
  return out.join('');
}

function worstTable(r: Report, worst: WorstMinute[]): string {
  if (!worst.length) return '<p class="muted">No per-minute samples: no worst minutes to show.</p>';
  const rows = worst.map((m) => {
    const cells = SERIES.map((s) => {
      const v = m.point[s.key];
      if (v === undefined) return '';
      return pointOver(m.point, r.rules, s.metric)
        ? `<span class="over-cell">${s.key === 'frameRate' ? '▼' : '▲'} ${esc(show(s.metric, v))}</span>`
        : esc(show(s.metric, v));
    });
    const over = m.over.length
      ? m.over.map((rule) => `${esc(rule.name)} (${esc(rule.threshold)})`).join(', ')
      : 'none';
    return [hhmm(m.point.t), `<a href="#p${m.rank}">${nameHtml(m.participant)}</a>`, ...cells, over];
  });
  return `<p class="muted">The ${worst.length} worst participant-minutes: the most rules breached first, then the furthest past a threshold. ▲/▼ marks a value that breaches a rule; each value is the worst of the participant's streams.</p>${table(
    'Worst minutes',
    ['time (UTC)', 'participant', ...SERIES.map((s) => s.label), 'rules breached'],
    rows,
    { 1: 'name', 2: 'num', 3: 'num', 4: 'num', 5: 'num' },
  )}`;
}

/** The time axis shared by every chart: the instance's samples and alerts. */
function timeDomain(r: Report): [number, number] {
  const ts = r.participants.flatMap((p) => [
    ...p.timeline.map((x) => x.t),
    ...p.alerts.flatMap((a) => [a.since, ...(a.until !== undefined ? [a.until] : [])]),
  ]);
  return ts.length ? [Math.min(...ts), Math.max(...ts)] : [r.generatedAt, r.generatedAt];
}

/**
 * `--format html`: one self-contained page (no network, no script, no external font): the
 * headline, the worst minutes, then per participant (worst first) the context, the minutes
 * over each rule, the alerts, and timelines of latency, jitter, loss and frame rate against the
 * rules' thresholds with the alert periods hatched; every figure in a table too. Without
 * per-minute samples (the QoS summary alone) it says so and shows the summary's figures.
 * A pure function: the same report gives the same page (reports sent after a call use it).
 */
export function formatHtml(r: Report): string {
  // Whole names and topics (title attributes) too: none of the page's own text has such a character.
  return human(page(r));
}

function page(r: Report): string {
  const title = titleLine(r);
  const domain = timeDomain(r);
  const anyTimeline = r.participants.some((p) => p.timeline.length);
  const nav = r.participants
    .map((p, i) => {
      const state = p.breaches.length
        ? `${p.breaches.reduce((a, b) => a + b.minutes, 0)} min over ${p.breaches.length} rule${p.breaches.length > 1 ? 's' : ''}`
        : 'no rule breached';
      return `<li><a href="#p${i + 1}">${nameHtml(p)}</a> <span class="muted">(${state}${p.alerts.length ? `, ${p.alerts.length} alert${p.alerts.length > 1 ? 's' : ''}` : ''})</span></li>`;
    })
    .join('');
  const body = [
    '<main>',
    `<h1>${esc(title)}</h1>`,
    `<p class="headline">${esc(headline(r))}</p>`,
    `<p class="meta">Source: ${esc(r.sourceNote)}</p>`,
    `<p class="meta">${r.calls} Zoom API calls. Generated ${esc(iso(r.generatedAt))}. Times are UTC.</p>`,
  ];
  if (!anyTimeline && r.participants.length)
    body.push(
      `<p class="note" id="no-timelines">${r.source === 'qos_summary' ? "Made from Zoom's QoS summary alone" : 'Zoom returned no per-minute samples'}: there are no timelines and no worst minutes; each participant's summary figures are shown instead.</p>`,
    );
  if (r.alerts.length) body.push('<h2>Instance alerts</h2>', `<ul>${r.alerts.map(alertItem).join('')}</ul>`);
  if (r.participants.length) body.push('<h2>Participants, worst first</h2>', `<ol>${nav}</ol>`);
  else body.push('<p class="note">Zoom returned no participant for this instance.</p>');
  // The worst participants with per-minute samples get timelines; one set decides the note and each section.
  const withTimeline = r.participants.filter((p) => p.timeline.length);
  const drawn = new Set(withTimeline.slice(0, CHARTED));
  const charted = withTimeline.length;
  if (charted > CHARTED)
    body.push(
      `<p class="note" id="charted">Timelines are drawn for the ${CHARTED} worst participants; the other ${charted - CHARTED} have their figures and the worst minutes only, so that the page stays small enough to mail and to open on a phone. Every participant's figures are in <code>--format csv</code> and <code>json</code>.</p>`,
    );
  if (anyTimeline) body.push('<h2>Worst minutes</h2>', worstTable(r, worstMinutes(r)), LEGEND);
  r.participants.forEach((p, i) => body.push(participantSection(r, p, i + 1, domain, drawn.has(p))));
  body.push('</main>');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">',
    `<title>${esc(title)}</title><style>${CSS}</style></head>`,
    `<body>${HATCH_DEFS}${body.join('\n')}</body></html>`,
    '',
  ].join('\n');
}
