import { SAMPLE_GROUP_KEY } from '../../normalize/catalog.js';
import type { InstanceRef, ParticipantContext, QosSample } from '../../normalize/sample.js';
import { streamPlace, UNEXPORTED_STREAM, unexportedPlace, type ValueLayout } from './value-layout.js';
import { FIRST_VALUE, SAMPLE_METRICS, STREAM_METRICS, type ParticipantValues } from './aggregates.js';

/**
 * A participant's newest sample as the daemon keeps it: the values metrics export, read out
 * once when it arrives (a scrape reads these, never the sample's objects), who the participant
 * is, and its context (texts shared between participants). The sample
 * itself is not kept: `asSample` gives back what rules and /api/v1/instances/<id> read of it.
 * Each new sample of the participant is written over the last (live-state.ts), so a minute's
 * samples of thousands of participants make no new objects; `version` says which sample it holds.
 */
export class LiveParticipant implements ParticipantValues {
  /** The IP address: an IPv4 address as its number (packedIp), else the text. */
  private kept: string | number;

  constructor(
    public name: string,
    public email: string,
    ip: string,
    /** Never changed in place; its texts shared with other participants', the object kept while it does not change. */
    public context: Readonly<ParticipantContext>,
    /** Which values the sample has, and its streams (value-layout.ts): shared with other participants. */
    public layout: ValueLayout,
    /**
     * The sample's time (epoch ms), then its values at `layout`'s places, in order: SAMPLE_METRICS,
     * then STREAM_METRICS per stream (Prometheus units), then UNEXPORTED_STREAM per stream (base
     * units); NaN where it has none. Written over in place by the next sample when it has as many.
     */
    public values: number[],
    /** The live state's version when this sample was written: what is rendered from it is kept until it changes. */
    public version: number,
  ) {
    this.kept = packedIp(ip);
  }

  /** The participant's IP address, as the sample gave it. */
  get ip(): string {
    const k = this.kept;
    return typeof k === 'string' ? k : `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
  }

  set ip(ip: string) {
    this.kept = packedIp(ip);
  }

  /** Whether `ip` is the IP address kept (without making its text). */
  hasIp(ip: string): boolean {
    const k = this.kept;
    return typeof k === 'string' ? k === ip : k === packedIp(ip);
  }

  /** The sample's own time, epoch ms. */
  get time(): number {
    return this.values[0]!;
  }

  /** The sample's streams in its order; one list shared by every participant with the same streams. */
  get streams(): readonly string[] {
    return this.layout.streams;
  }

  /** The value at a place (value-layout.ts), undefined when the sample has none. */
  private at(place: number): number | undefined {
    const k = this.layout.at[place]!;
    const v = k < 0 ? NaN : this.values[FIRST_VALUE + k]!;
    return v === v ? v : undefined;
  }

  /** A per-sample metric's value (SAMPLE_METRICS index), Prometheus units; undefined when missing. */
  sampleValue(metric: number): number | undefined {
    return this.at(metric);
  }

  /** A stream metric's value (stream's index in `streams`, STREAM_METRICS index); undefined when missing. */
  streamValue(stream: number, metric: number): number | undefined {
    return this.at(streamPlace(stream, metric));
  }

  /** A stream metric's value by names (a stream's name, a STREAM_METRICS field key), for tests and tools. */
  valueOf(stream: string, key: string): number | undefined {
    const s = this.streams.indexOf(stream);
    const m = STREAM_METRICS.findIndex((d) => d.field.key === key);
    return s < 0 || m < 0 ? undefined : this.streamValue(s, m);
  }

  /**
   * The sample again, as far as rules and the instances API read it: every measurement in base
   * units (level words as their level, which is what rules read of them), the context, the
   * participant's key, name, e-mail and IP; `instance` is the instance as known now. Built
   * when asked, not kept. Exact: the only export scale is 1/8, a power of two.
   */
  asSample(instance: InstanceRef, key: string): QosSample {
    const S = SAMPLE_METRICS.length;
    const M = STREAM_METRICS.length;
    const E = UNEXPORTED_STREAM.length;
    const n = this.streams.length;
    const s: QosSample = {
      instance,
      participant: { key, name: this.name, email: this.email, ip: this.ip },
      context: this.context,
      time: this.time,
      streams: {},
    };
    for (let j = 0; j < n; j++) {
      const m: Record<string, number> = {};
      for (let i = 0; i < M; i++) {
        const v = this.at(streamPlace(j, i));
        if (v !== undefined) m[STREAM_METRICS[i]!.field.key] = v / STREAM_METRICS[i]!.scale;
      }
      for (let e = 0; e < E; e++) {
        const v = this.at(unexportedPlace(n, j, e));
        if (v !== undefined) m[UNEXPORTED_STREAM[e]!.key] = v;
      }
      s.streams[this.streams[j]!] = m;
    }
    const groups = s as unknown as Record<string, Record<string, number> | undefined>;
    for (let i = 0; i < S; i++) {
      const v = this.at(i);
      if (v === undefined) continue;
      const def = SAMPLE_METRICS[i]!;
      const group = SAMPLE_GROUP_KEY[def.field.group as keyof typeof SAMPLE_GROUP_KEY];
      (groups[group] ??= {})[def.field.key] = v / def.scale;
    }
    return s;
  }
}

/**
 * An IPv4 address written as `ip` reads it back (four numbers of 0-255 without leading zeros,
 * dots between) as a 32-bit integer, which V8 keeps in the field itself (a participant's address
 * as text took 32-40 B of its own); anything else (IPv6, empty, unusual) as the text.
 */
function packedIp(ip: string): string | number {
  const n = ip.length;
  if (n < 7 || n > 15) return ip;
  let packed = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? ip.charCodeAt(i) : 46; // a dot after the last part
    if (c === 46) {
      if (digits === 0 || part > 255) return ip;
      packed = (packed << 8) | part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return ip; // a leading zero
      part = part * 10 + (c - 48);
      digits++;
    } else return ip;
  }
  return parts === 4 ? packed : ip;
}
