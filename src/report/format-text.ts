import { onOneLine, shownKey } from '../normalize/zoom-text.js';
import type { ParticipantReport, Report } from './types.js';
import {
  contextLine,
  figureCells,
  headline,
  hhmm,
  human,
  inCall,
  iso,
  shortWho,
  titleLine,
} from './values.js';

/** Rows of cells as aligned text columns. */
export function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const FIG_HEAD = ['stream', 'metric', 'min', 'avg', 'max', 'p95'];

function figureRows(p: ParticipantReport): string[][] {
  const rows: string[][] = [];
  for (const s of p.streams)
    for (const [metric, f] of Object.entries(s.metrics))
      rows.push([s.stream, metric, ...figureCells(metric, f)]);
  for (const [metric, f] of Object.entries(p.cpu)) rows.push(['(device)', metric, ...figureCells(metric, f)]);
  return rows;
}

const alertLine = (a: Report['alerts'][number]): string =>
  `${a.rule} (${a.severity}) ${hhmm(a.since)}-${a.until !== undefined ? hhmm(a.until) : 'still firing'}: ${a.value}, threshold ${a.threshold}`;

/** Plain text for a terminal: `--format table` (the default). */
export function formatTable(r: Report): string {
  const out = [
    titleLine(r),
    `Source: ${r.sourceNote}`,
    `API calls: ${r.calls}. Generated ${iso(r.generatedAt)}.`,
    headline(r),
    '',
  ];
  for (const a of r.alerts) out.push(`Instance alert: ${alertLine(a)}`);
  r.participants.forEach((p, i) => {
    out.push(`${i + 1}. ${shortWho(p)} [${shownKey(p.key)}]${p.email ? ` <${onOneLine(p.email)}>` : ''}`);
    const ctx = contextLine(p.context);
    if (ctx) out.push(`   ${ctx}`);
    const stay = inCall(p, r.instance.live);
    if (stay) out.push(`   in the call ${stay}`);
    for (const b of p.breaches)
      out.push(
        `   ${b.minutes} min over ${b.rule} (${b.severity}, ${b.metric} ${b.threshold}), worst ${b.worst}`,
      );
    for (const a of p.alerts) out.push(`   alert ${alertLine(a)}`);
    const rows = figureRows(p);
    if (rows.length) out.push(columns([FIG_HEAD, ...rows]).replace(/^/gm, '   '));
    out.push('');
  });
  return human(out.join('\n'));
}

/**
 * Free text as Markdown text: `&` as an entity (`&amp;` would otherwise render as `&`), and the
 * characters that make tables, emphasis, code, links, HTML or headings backslash-escaped (`_`
 * inside a word, as in audio_input, makes no emphasis and is left).
 */
const md = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/[|\\`*~<>[\]#]|_(?!\w)|(?<!\w)_/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');

/** A Markdown table with padded columns (as prettier writes it); `right` columns align right. */
function mdTable(head: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const cells = [head, ...rows].map((r) => r.map(md));
  const widths = head.map((_, i) => Math.max(3, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    `| ${r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right.has(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(cells[0]!), rule, ...cells.slice(1).map(line), ''];
}

/** Markdown: `--format md`, for a ticket or a wiki page. */
export function formatMarkdown(r: Report): string {
  const out = [
    `# ${md(titleLine(r))}`,
    '',
    `- **Source:** ${md(r.sourceNote)}`,
    `- **API calls:** ${r.calls}`,
    `- **Generated:** ${iso(r.generatedAt)}`,
    `- **Headline:** ${md(headline(r))}`,
    '',
  ];
  if (r.alerts.length)
    out.push('## Instance alerts', '', ...r.alerts.map((a) => `- ${md(alertLine(a))}`), '');
  r.participants.forEach((p, i) => {
    out.push(`## ${i + 1}. ${md(shortWho(p))} (${md(shownKey(p.key))})`, '');
    const ctx = contextLine(p.context);
    if (ctx) out.push(`Context: ${md(ctx)}`, '');
    const stay = inCall(p, r.instance.live);
    if (stay) out.push(`In the call: ${md(stay)}`, '');
    if (p.breaches.length)
      out.push(
        ...mdTable(
          ['rule', 'severity', 'metric', 'threshold', 'minutes', 'worst'],
          p.breaches.map((b) => [b.rule, b.severity, b.metric, b.threshold, String(b.minutes), b.worst]),
          new Set([4]),
        ),
      );
    for (const a of p.alerts) out.push(`- alert: ${md(alertLine(a))}`);
    if (p.alerts.length) out.push('');
    const rows = figureRows(p);
    if (rows.length) out.push(...mdTable(FIG_HEAD, rows));
  });
  return human(out.join('\n'));
}
