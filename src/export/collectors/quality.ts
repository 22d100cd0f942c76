import type { InstanceRef } from '../../normalize/sample.js';
import { STREAM_BY_NAME } from '../../normalize/streams.js';
import {
  type Columns,
  instanceValues,
  SAMPLE_METRICS,
  SAMPLE_SLOT,
  stats,
  STREAM_METRICS,
} from './aggregates.js';
import type { LiveParticipant } from './live-participant.js';
import { familyHeader, labelValue, sampleText } from './exposition.js';
import { participantFamilies, type ParticipantLines, renderParticipant } from './participants.js';
import { type BodyPiece, textOf, Utf8Chunks } from './utf8-chunks.js';

export interface QualityOptions {
  /** Add the meeting topic as a label (an info series); off by default. */
  topicLabel: boolean;
  /** Per-participant series, labelled by the stable participant key; off by default. */
  participantSeries: boolean;
  /** Names, e-mails and IPs in a participant info series: a separate, explicit opt-in. */
  participantIdentity: boolean;
}

/** What the call quality series read: the live instances and their participants' newest samples. */
export interface QualityView {
  readonly instances: ReadonlyMap<
    string,
    { ref: InstanceRef; participants: ReadonlyMap<string, LiveParticipant>; version: number }
  >;
}

interface Family {
  header: string;
  /** The family's lines of one instance (`streams`: its streams' labels, made for this scrape). */
  lines: (r: Kept, streams: readonly string[]) => string;
}

/**
 * What is kept of one instance until it changes: its labels, its streams, the numbers of its
 * aggregates (rendered at each scrape: numbers take a tenth of the heap their text would), and
 * with participant series, per participant its lines and per family the instance's block of
 * them. The aggregates are the avg, max and p95 of the measurements with values only: of the
 * SAMPLE_METRICS set in `sample`, then per stream of the STREAM_METRICS set in its `present`
 * (one bit per metric, in that order). Half of an instance's measurements have none (audio has
 * no frame rate), and its streams' labels are made at each scrape: kept, the two held more than
 * the aggregates themselves (issue 16: 404 B per live participant).
 */
interface Kept {
  version: number;
  labels: string;
  participants: number;
  topic: string;
  /** The instance's streams, in the order of the participants' samples. */
  streams: string[];
  /** Per stream, its STREAM_METRICS with values, one bit each. */
  present: number[];
  /** The SAMPLE_METRICS with values, one bit each. */
  sample: number;
  /** avg, max and p95 of each measurement with values (see above). */
  stats: number[];
  /** Only with participant series. */
  lines?: Map<string, ParticipantLines>;
  blocks?: string[];
}

const AGGREGATE_HELP = ' Across the live participants of an instance; aggregation: avg, max or p95.';
const aggregateLines = (name: string, labels: string, stats: number[], at: number): string =>
  `${name}{${labels},aggregation="avg"} ${sampleText(stats[at]!)}\n${name}{${labels},aggregation="max"} ${sampleText(stats[at + 1]!)}\n${name}{${labels},aggregation="p95"} ${sampleText(stats[at + 2]!)}\n`;

/** Set bits of `n` (a 32-bit mask). */
function bits(n: number): number {
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * avg, max and p95 of each of `metrics` columns of a slot that has values (a NaN average
 * counts as none), appended to `out`; returns which had values, one bit per column.
 */
function statsOf(values: Columns, slot: number, metrics: number, out: number[]): number {
  let present = 0;
  for (let i = 0; i < metrics; i++) {
    const list = values.column(slot, i);
    if (!list.length) continue;
    const a = stats(list);
    if (a.avg !== a.avg) continue; // NaN (+Inf and -Inf): rendered as no values, as before
    out.push(a.avg, a.max, a.p95);
    present |= 1 << i;
  }
  return present;
}

/** A stream's labels within an instance's (`labels`). */
const streamLabels = (labels: string, stream: string): string =>
  `${labels},stream="${labelValue(stream)}",direction="${STREAM_BY_NAME.get(stream)?.direction ?? 'unknown'}"`;

/**
 * Where an instance's aggregates, streams and their bits are gathered before a copy of exactly
 * their size is kept (an array grown by push has room for 17 or more).
 */
const gathered: number[] = [];
const gatheredStreams: string[] = [];
const gatheredPresent: number[] = [];

/**
 * Call quality per live instance, in the text exposition format: participants, the topic
 * (opt-in), the per-instance stream and CPU aggregates, and per-participant series (opt-in).
 * Every instance's aggregates are kept until the instance changes (its `version`), and within
 * it every participant's lines until their sample does, so a scrape aggregates only what
 * changed since the last one. Instances that ended and participants who left are gone at the
 * next scrape.
 */
export class QualitySeries {
  private readonly families: Family[] = [];
  private readonly kept = new Map<string, Kept>();
  /** The bytes of the last scrape's text: the size of the next one's first buffer. */
  private bytes = 0;

  constructor(
    private readonly view: QualityView,
    private readonly options: QualityOptions,
  ) {
    const family = (name: string, help: string, lines: Family['lines']): void =>
      void this.families.push({ header: familyHeader(name, help), lines });
    family(
      'qoswatch_instance_participants',
      'Participants of a live instance with at least one sample.',
      (r) => `qoswatch_instance_participants{${r.labels}} ${r.participants}\n`,
    );
    if (options.topicLabel)
      family(
        'qoswatch_instance_info',
        'The topic of a live instance (enabled by metrics.topic_label); always 1.',
        (r) => `qoswatch_instance_info{${r.labels},topic="${r.topic}"} 1\n`,
      );
    STREAM_METRICS.forEach((def, i) => {
      const below = (1 << i) - 1;
      family(def.name, def.help + AGGREGATE_HELP, (r, streams) => {
        let out = '';
        // The stream's aggregates start after the sample's; metric i's after the stream's lower ones.
        let at = 3 * bits(r.sample);
        for (let j = 0; j < r.streams.length; j++) {
          const present = r.present[j]!;
          if (present & (1 << i))
            out += aggregateLines(def.name, streams[j]!, r.stats, at + 3 * bits(present & below));
          at += 3 * bits(present);
        }
        return out;
      });
    });
    SAMPLE_METRICS.forEach((def, i) => {
      const below = (1 << i) - 1;
      family(def.name, def.help + AGGREGATE_HELP, (r) =>
        r.sample & (1 << i) ? aggregateLines(def.name, r.labels, r.stats, 3 * bits(r.sample & below)) : '',
      );
    });
    if (options.participantSeries)
      participantFamilies(options.participantIdentity).forEach((f, i) =>
        family(f.name, f.help, (r) => r.blocks![i]!),
      );
  }

  /** The exposition text of every quality family. */
  text(): string {
    return textOf(this.pieces([]));
  }

  /**
   * The same text as UTF-8 bytes, in pieces appended to `out` (utf8-chunks.ts): per family its
   * header, then its lines per instance, each written as it is made. A server writes them as
   * they are: one text of all of them (9 MB at 5,000 participants) cost more to flatten and
   * encode than rendering it (issue 16).
   */
  pieces(out: BodyPiece[]): BodyPiece[] {
    const live = this.view.instances;
    for (const key of this.kept.keys()) if (!live.has(key)) this.kept.delete(key);
    const current: Kept[] = [];
    const streams: string[][] = [];
    for (const [key, inst] of live) {
      let r = this.kept.get(key);
      if (r?.version !== inst.version) this.kept.set(key, (r = this.aggregate(inst, r)));
      current.push(r);
      streams.push(r.streams.map((stream) => streamLabels(r.labels, stream)));
    }
    const bytes = new Utf8Chunks(out, this.bytes);
    for (const f of this.families) {
      bytes.write(f.header);
      for (let k = 0; k < current.length; k++) bytes.write(f.lines(current[k]!, streams[k]!));
    }
    bytes.flush();
    this.bytes = bytes.bytes;
    return out;
  }

  private aggregate(
    inst: { ref: InstanceRef; participants: ReadonlyMap<string, LiveParticipant>; version: number },
    before: Kept | undefined,
  ): Kept {
    const { ref, participants } = inst;
    // The UUID is the instance's identity: two instances of one meeting number (a recurring
    // meeting's, or a pushed UUID carrying a live meeting's number) never share a series.
    // Joined: a flat string, not the tree of pieces a template literal keeps (twice the heap).
    const labels = [
      'kind="',
      labelValue(ref.kind),
      '",instance_id="',
      labelValue(ref.id),
      '",instance_uuid="',
      labelValue(ref.uuid),
      '"',
    ].join('');
    const values = instanceValues(participants);
    gathered.length = 0;
    gatheredStreams.length = 0;
    gatheredPresent.length = 0;
    const sample = statsOf(values, SAMPLE_SLOT, SAMPLE_METRICS.length, gathered);
    for (const [stream, slot] of values.streams) {
      gatheredStreams.push(stream);
      gatheredPresent.push(statsOf(values, slot, STREAM_METRICS.length, gathered));
    }
    const kept: Kept = {
      version: inst.version,
      labels,
      participants: participants.size,
      topic: this.options.topicLabel ? labelValue(ref.topic) : '',
      streams: gatheredStreams.slice(),
      present: gatheredPresent.slice(),
      sample,
      stats: gathered.slice(),
    };
    if (this.options.participantSeries) {
      kept.lines = new Map();
      const n = participantFamilies(this.options.participantIdentity).length;
      const perFamily: string[][] = Array.from({ length: n }, () => []);
      for (const [key, s] of participants) {
        let p = before?.lines?.get(key);
        if (p?.sample !== s || p.version !== s.version)
          p = renderParticipant(labels, key, s, this.options.participantIdentity);
        kept.lines.set(key, p);
        for (let f = 0; f < n; f++) if (p.lines[f]) perFamily[f]!.push(p.lines[f]!);
      }
      // Joined, not concatenated: a flat string is kept, not a tree of the pieces (about half the heap).
      kept.blocks = perFamily.map((lines) => lines.join(''));
    }
    return kept;
  }
}
