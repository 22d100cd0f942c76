/** Counts what normalization saw, for logs and (later) metrics. Bad data is counted, never thrown. */
export class NormalizeStats {
  samplesParsed = 0;
  /** Samples skipped whole: no usable `date_time`, or not an object. */
  samplesInvalid = 0;
  /** Entries not read because the same join's sample at that time was handed on before (Zoom repeats the last minutes). */
  samplesRepeated = 0;
  /**
   * Samples dated more than FUTURE_TOLERANCE_MS ahead of Zoom's own clock (a push's `event_ts`,
   * a polled answer's `Date`): refused, so that a wrong date never becomes a join's newest
   * minute and every real one late.
   */
  samplesFuture = 0;
  /** Values present but empty or not understood, by metric ("latency", "bitrate", ...). */
  readonly valuesMissing = new Map<string, number>();
  /** Stream objects of a kind we do not know, by name: ignored, counted so new ones get noticed. */
  readonly unknownStreams = new Map<string, number>();

  missing(metric: string): void {
    this.valuesMissing.set(metric, (this.valuesMissing.get(metric) ?? 0) + 1);
  }
  unknownStream(name: string): void {
    this.unknownStreams.set(name, (this.unknownStreams.get(name) ?? 0) + 1);
  }
}
