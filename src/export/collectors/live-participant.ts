import type { QosSample } from '../../normalize/sample.js';
import { SAMPLE_METRICS, STREAM_METRICS, type ParticipantValues } from './aggregates.js';

/**
 * A participant's newest sample, and the values metrics export read out of it once, when it
 * arrives: a scrape reads these, never the sample's objects.
 */
export class LiveParticipant implements ParticipantValues {
  constructor(
    /** The whole sample: what /api/v1/instances/<id> shows. */
    readonly sample: QosSample,
    /** The sample's streams in its order; one list shared by every participant with the same streams. */
    readonly streams: readonly string[],
    /** SAMPLE_METRICS values, then STREAM_METRICS values per stream; NaN where the sample had none. */
    readonly values: readonly number[],
  ) {}

  get time(): number {
    return this.sample.time;
  }

  /** A per-sample metric's value (SAMPLE_METRICS index), Prometheus units; undefined when missing. */
  sampleValue(metric: number): number | undefined {
    const v = this.values[metric]!;
    return Number.isNaN(v) ? undefined : v;
  }

  /** A stream metric's value (stream's index in `streams`, STREAM_METRICS index); undefined when missing. */
  streamValue(stream: number, metric: number): number | undefined {
    const v = this.values[SAMPLE_METRICS.length + stream * STREAM_METRICS.length + metric]!;
    return Number.isNaN(v) ? undefined : v;
  }

  /** A stream metric's value by names (a stream's name, a STREAM_METRICS field key), for tests and tools. */
  valueOf(stream: string, key: string): number | undefined {
    const s = this.streams.indexOf(stream);
    const m = STREAM_METRICS.findIndex((d) => d.field.key === key);
    return s < 0 || m < 0 ? undefined : this.streamValue(s, m);
  }
}
