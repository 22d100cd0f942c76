import { jsonUnseenEscaped, shownKey } from '../normalize/zoom-text.js';
import { budgetCutNote } from './budget-cut.js';
import type { Figures, Report } from './types.js';
import { iso } from './values.js';

const TIME_KEYS = new Set(['start', 'end', 'since', 'until', 'joined', 'left', 'generatedAt', 't']);

/** `--format json`: the whole report, values in base units (seconds, ratios, bits/s), times ISO. */
export function formatJson(r: Report): string {
  return (
    jsonUnseenEscaped(
      JSON.stringify(r, (k, v: unknown) => (TIME_KEYS.has(k) && typeof v === 'number' ? iso(v) : v), 2),
    ) + '\n'
  );
}

export const CSV_COLUMNS = [
  'row',
  'participant',
  'name',
  'stream',
  'metric',
  'min',
  'avg',
  'max',
  'p95',
  'samples',
  'rule',
  'minutes',
  'since',
  'until',
] as const;

/** A CSV cell: quoted when needed; a leading = + - @ is defused (names are anyone's input). */
function cell(v: string | number | undefined): string {
  if (v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * `--format csv`: one row per participant, stream and metric (`row` = figures, values in base
 * units), per rule breached (`breach`, minutes), and per alert fired (`alert`). A report cut by
 * its budget reserve ends with a `budget_cut` row, its `name` cell the cut in words (the Source
 * line's "Cut by the budget: ..."): the same columns, a row kind of its own, so a reader that
 * keeps the kinds it knows reads what it did, and one that looks for it knows the figures are
 * not the whole call. A whole report has none: byte for byte as before.
 */
export function formatCsv(r: Report): string {
  const rows: (string | number | undefined)[][] = [[...CSV_COLUMNS]];
  const blank = (n: number): undefined[] => Array<undefined>(n).fill(undefined);
  for (const p of r.participants) {
    const who = [shownKey(p.key), p.name];
    const figures = (stream: string, metric: string, f: Figures): void => {
      rows.push(['figures', ...who, stream, metric, f.min, f.avg, f.max, f.p95, f.samples, ...blank(4)]);
    };
    for (const s of p.streams)
      for (const [metric, f] of Object.entries(s.metrics)) figures(s.stream, metric, f);
    for (const [metric, f] of Object.entries(p.cpu)) figures('', metric, f);
    for (const b of p.breaches)
      rows.push(['breach', ...who, '', b.metric, ...blank(5), b.rule, b.minutes, undefined, undefined]);
    for (const a of p.alerts)
      rows.push(['alert', ...who, '', '', ...blank(5), a.rule, undefined, iso(a.since), iso(a.until)]);
  }
  for (const a of r.alerts)
    rows.push(['alert', '', '', '', '', ...blank(5), a.rule, undefined, iso(a.since), iso(a.until)]);
  if (r.budgetCut) rows.push(['budget_cut', '', budgetCutNote(r.budgetCut).trim(), ...blank(11)]);
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
