import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { INVALID_REASONS, type InvalidReason, type NormalizeStats } from '../../normalize/stats.js';
import type { CoverageReport } from '../../poll/coverage.js';
import type { CycleReport } from '../../poll/scheduler.js';
import { scrapeCounter, scrapeGauge } from './common.js';

/** What the poll series read: the last cycle, coverage now, the instances discovery knows, and normalization counts. */
export interface PollView {
  lastCycle(): CycleReport | undefined;
  coverage(): CoverageReport;
  instanceKinds(): Iterable<string>;
  normalize: Readonly<
    Pick<NormalizeStats, 'samplesParsed' | 'samplesFuture' | 'listedInvalid' | 'pagingDrift'>
  > & {
    readonly invalidBy: ReadonlyMap<InvalidReason, number>;
    readonly valuesMissing: ReadonlyMap<string, number>;
    readonly valuesUnreadable: ReadonlyMap<string, number>;
    readonly valuesImplausible: ReadonlyMap<string, number>;
    readonly valuesBare: ReadonlyMap<string, number>;
  };
}

/** Poll cycles, coverage and staleness, live instances, and what normalization read or skipped. */
// eslint-disable-next-line max-lines-per-function -- a table: one metric family declared after another
export function registerPollMetrics(
  registry: Registry,
  view: PollView,
): { observeCycle: (r: CycleReport) => void } {
  const registers = [registry];
  const cycleDuration = new Histogram({
    name: 'qoswatch_poll_cycle_duration_seconds',
    help: 'How long a poll cycle took.',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const fromCycle = (read: (c: CycleReport) => number) => (): number | undefined => {
    const c = view.lastCycle();
    return c ? read(c) / 1000 : undefined;
  };
  scrapeGauge(
    registry,
    'qoswatch_poll_last_success_timestamp_seconds',
    'When the last poll cycle finished, Unix seconds.',
    fromCycle((c) => c.finishedAt),
  );
  scrapeGauge(
    registry,
    'qoswatch_poll_interval_seconds',
    'The time from the last cycle to the next, as planned within the budget.',
    fromCycle((c) => c.intervalMs),
  );
  scrapeGauge(
    registry,
    'qoswatch_poll_full_cycle_seconds',
    'The budget-optimal time to poll every live instance once.',
    fromCycle((c) => c.fullCycleMs),
  );
  scrapeGauge(
    registry,
    'qoswatch_poll_coverage_ratio',
    'Share of live participants whose newest sample is younger than poll.fresh_age (no sample while nobody is live).',
    () => view.coverage().ratio ?? undefined, // none while nobody is live: nothing to cover
  );
  scrapeGauge(
    registry,
    'qoswatch_poll_staleness_seconds',
    "Age of the stalest live participant's newest sample.",
    () => view.coverage().maxStalenessMs / 1000,
  );
  scrapeGauge(
    registry,
    'qoswatch_live_participants',
    'Participants present in live instances.',
    () => view.coverage().live,
  );
  new Gauge({
    name: 'qoswatch_live_instances',
    help: 'Live instances known from discovery, by kind.',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      for (const kind of ['meeting', 'webinar', 'session']) this.set({ kind }, 0);
      for (const kind of view.instanceKinds()) this.inc({ kind });
    },
  });
  scrapeCounter(
    registry,
    'qoswatch_samples_parsed_total',
    'QoS samples read from Zoom.',
    () => view.normalize.samplesParsed,
  );
  new Counter({
    name: 'qoswatch_samples_invalid_total',
    help: 'QoS entries skipped whole, by reason (no_date_time, bad_join_key, repeated_join, ...: a fixed set, each from 0).',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      // The fixed set of reasons, never a value from Zoom: each series exists from 0.
      for (const reason of Object.keys(INVALID_REASONS)) this.inc({ reason }, 0);
      for (const [reason, count] of view.normalize.invalidBy) this.inc({ reason }, count);
    },
  });
  scrapeCounter(
    registry,
    'qoswatch_qos_paging_drift_total',
    'QoS reads whose list changed while it was paged (a join on two pages, total_records changing): the repeat skipped, not bad data; nobody taken as gone by such a read.',
    () => view.normalize.pagingDrift,
  );
  scrapeCounter(
    registry,
    'qoswatch_samples_future_total',
    "QoS samples refused as dated more than 5 minutes ahead of Zoom's own clock (a push's event_ts, a polled answer's Date).",
    () => view.normalize.samplesFuture,
  );
  scrapeCounter(
    registry,
    'qoswatch_discovery_entries_invalid_total',
    'Entries of the live meetings, webinars and sessions lists skipped: not an object, or without a usable uuid (session id).',
    () => view.normalize.listedInvalid,
  );
  new Counter({
    name: 'qoswatch_values_missing_total',
    help: 'Values Zoom sent that are not readings, by field and reason: empty, unreadable (a form not understood) or implausible (out of bounds); all skipped.',
    labelNames: ['field', 'reason'],
    registers,
    collect() {
      this.reset();
      const n = view.normalize;
      for (const [reason, counts] of [
        ['empty', n.valuesMissing],
        ['unreadable', n.valuesUnreadable],
        ['implausible', n.valuesImplausible],
      ] as const)
        for (const [field, count] of counts) this.inc({ field, reason }, count);
    },
  });
  new Counter({
    name: 'qoswatch_values_bare_total',
    help: 'Values Zoom sent as bare numbers where it writes text with a unit (latency: 5, not "5 ms"), by field; read in Zoom\'s unit.',
    labelNames: ['field'],
    registers,
    collect() {
      this.reset();
      for (const [field, count] of view.normalize.valuesBare) this.inc({ field }, count);
    },
  });
  return { observeCycle: (r) => cycleDuration.observe((r.finishedAt - r.startedAt) / 1000) };
}
