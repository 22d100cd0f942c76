import { Gauge, Registry } from 'prom-client';

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (v: string): string => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

/**
 * The reference of the scrape figures: a plain prom-client registry holding the same series as
 * an exposition text (one gauge per sample name, every series set once), as a naive exporter
 * keeps them. Its scrape is `registry.metrics()`.
 */
export function naiveRegistry(text: string): { registry: Registry; series: number } {
  const registry = new Registry();
  const byName = new Map<string, { labels: Set<string>; rows: [Record<string, string>, number][] }>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = unescape(l[2]!);
    let family = byName.get(m[1]!);
    if (!family) byName.set(m[1]!, (family = { labels: new Set(), rows: [] }));
    for (const k of Object.keys(labels)) family.labels.add(k);
    family.rows.push([labels, Number(m[3])]);
  }
  let series = 0;
  for (const [name, { labels, rows }] of byName) {
    const g = new Gauge({ name, help: name, labelNames: [...labels], registers: [registry] });
    for (const [l, v] of rows) {
      g.set(l, v);
      series++;
    }
  }
  return { registry, series };
}
