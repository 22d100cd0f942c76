import { Gauge, Registry } from 'prom-client';

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (v: string): string => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

/**
 * The reference of the scrape figures: a plain prom-client registry holding the same series as
 * an exposition text (one gauge per sample name, every series set once), as a naive exporter
 * keeps them. Its scrape is `registry.metrics()`.
 */
export function naiveRegistry(text: string): { registry: Registry; series: number; setAll: () => void } {
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
  const families = [...byName].map(([name, { labels, rows }]) => {
    series += rows.length;
    return { gauge: new Gauge({ name, help: name, labelNames: [...labels], registers: [registry] }), rows };
  });
  /** What a naive exporter does when new samples come: set every series. */
  const setAll = (): void => {
    for (const { gauge, rows } of families) for (const [l, v] of rows) gauge.set(l, v);
  };
  setAll();
  return { registry, series, setAll };
}
