import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Small helpers the collectors share: an unlabelled gauge or counter whose value is read at
 * scrape time. Labelled series are declared where they are read, with their label names.
 */
export function scrapeGauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => number | undefined,
): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      const v = read();
      if (v !== undefined) this.set(v);
    },
  });
}

export function scrapeCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
