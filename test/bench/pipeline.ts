import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfig } from '../../src/cli/demo-config.js';
import { Daemon } from '../../src/app/daemon.js';
import { SampleDeduplicator } from '../../src/normalize/dedup.js';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { MINUTE, type QosPages } from './zoom-pages.js';

type Raw = Record<string, unknown>;

/**
 * What the daemon does with the bytes of one poll cycle, without the network: per meeting,
 * parse its QoS pages, normalize each participant's new entries, drop what was seen (the scheduler's
 * de-duplicator, 3 hours), hand the rest to the daemon's sinks (rule engine, live state),
 * and, after the cycle, one /metrics scrape. The clock is virtual.
 */
export class Pipeline {
  readonly clock: VirtualClock;
  readonly daemon: Daemon;
  readonly dedup = new SampleDeduplicator(3 * 3_600_000);
  /** Bytes the scrapes sent (read, so that no work is left out). */
  scraped = 0;

  constructor(now: number, participantSeries = false) {
    this.clock = new VirtualClock(now);
    const config = demoConfig('http://127.0.0.1:2', mkdtempSync(join(tmpdir(), 'qw-bench-')), 0);
    config.metrics.topicLabel = false; // default settings
    config.metrics.participantSeries = participantSeries;
    this.daemon = new Daemon(config, { clock: this.clock, log: silentLogger() });
  }

  /** One cycle over `pages`; returns the samples handed on. */
  async cycle(pages: readonly QosPages[], scrape = true): Promise<number> {
    const stats = this.daemon.parts.normalizeStats;
    const now = this.clock.now();
    let handed = 0;
    for (const { instance, bodies } of pages) {
      const ref = { kind: instance.kind, id: instance.id, uuid: instance.uuid, topic: instance.topic };
      // As the scheduler does: entries up to the newest time a join handed on are not read.
      const seenUpTo = (join: string): number => this.dedup.seenUpTo(ref, join);
      const samples: QosSample[] = [];
      const present: string[] = [];
      for (const body of bodies) {
        const page = JSON.parse(body) as { participants: Raw[] };
        for (const raw of page.participants) {
          present.push(String(raw.user_id));
          samples.push(...normalizeParticipant(ref, raw, {}, stats, seenUpTo));
        }
      }
      const fresh = this.dedup.filter(samples, now);
      handed += fresh.length;
      if (fresh.length) this.daemon.parts.sink.handle({ type: 'samples', samples: fresh });
      this.daemon.parts.sink.handle({ type: 'polled', instance: ref, present, at: now });
    }
    // A scrape as the HTTP server sends it (scrape-side.mjs times it the same way): the daemon's
    // pieces, their UTF-8 length for Content-Length, and their bytes (a piece already in bytes is
    // written as it is). text() would join them into one 9 MB string, which the server never does.
    if (scrape)
      for (const t of await this.daemon.parts.metrics.pieces())
        this.scraped +=
          typeof t === 'string' ? Buffer.byteLength(t, 'utf8') + Buffer.from(t, 'utf8').length : t.length;
    return handed;
  }

  advance(ms = MINUTE): void {
    this.clock.advance(ms);
  }
}

/** The same answers `minutes` later: every `date_time` moved on (values as they were). */
export function shifted(pages: readonly QosPages[], minutes: number): QosPages[] {
  if (minutes === 0) return [...pages];
  const by = minutes * MINUTE;
  return pages.map((p) => ({
    instance: p.instance,
    bodies: p.bodies.map((b) =>
      b.replace(
        /"date_time":"([^"]+)"/g,
        (_, t: string) =>
          `"date_time":"${new Date(Date.parse(t) + by).toISOString().replace(/\.\d{3}Z$/, 'Z')}"`,
      ),
    ),
  }));
}

/** Only the parsing the pipeline does: the reference of the warm cycle. */
export function parseOnly(pages: readonly QosPages[]): number {
  let n = 0;
  for (const { bodies } of pages)
    for (const body of bodies) n += (JSON.parse(body) as { participants: unknown[] }).participants.length;
  return n;
}
