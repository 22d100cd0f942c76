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
  /** The family's lines of one instance. */
  lines: (r: Kept) => string;
}

/** One stream of an instance: its labels, and per STREAM_METRICS the avg, max and p95 (NaN: no values). */
interface StreamStats {
  labels: string;
  stats: number[];
}

/**
 * What is kept of one instance until it changes: its labels, the numbers of its aggregates
 * (rendered at each scrape: numbers take a tenth of the heap their text would), and with
 * participant series, per participant its lines and per family the instance's block of them.
 */
interface Kept {
  version: number;
  labels: string;
  participants: number;
  topic: string;
  streams: StreamStats[];
  /** Per SAMPLE_METRICS the avg, max and p95 (NaN: no values). */
  sample: number[];
  lines: Map<string, ParticipantLines>;
  blocks: string[];
}

const AGGREGATE_HELP = ' Across the live participants of an instance; aggregation: avg, max or p95.';
const aggregateLines = (name: string, labels: string, stats: number[], at: number): string =>
  `${name}{${labels},aggregation="avg"} ${sampleText(stats[at]!)}\n${name}{${labels},aggregation="max"} ${sampleText(stats[at + 1]!)}\n${name}{${labels},aggregation="p95"} ${sampleText(stats[at + 2]!)}\n`;

/** avg, max and p95 of each of `metrics` columns of a slot, appended to `out` (NaN for an empty column). */
function statsOf(values: Columns, slot: number, metrics: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < metrics; i++) {
    const list = values.column(slot, i);
    if (!list.length) out.push(NaN, NaN, NaN);
    else {
      const a = stats(list);
      out.push(a.avg, a.max, a.p95);
    }
  }
  return out;
}

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
    STREAM_METRICS.forEach((def, i) =>
      family(def.name, def.help + AGGREGATE_HELP, (r) => {
        let out = '';
        for (const s of r.streams)
          if (s.stats[3 * i] === s.stats[3 * i]) out += aggregateLines(def.name, s.labels, s.stats, 3 * i);
        return out;
      }),
    );
    SAMPLE_METRICS.forEach((def, i) =>
      family(def.name, def.help + AGGREGATE_HELP, (r) =>
        r.sample[3 * i] === r.sample[3 * i] ? aggregateLines(def.name, r.labels, r.sample, 3 * i) : '',
      ),
    );
    if (options.participantSeries)
      participantFamilies(options.participantIdentity).forEach((f, i) =>
        family(f.name, f.help, (r) => r.blocks[i]!),
      );
  }

  /** The exposition text of every quality family. */
  text(): string {
    return this.pieces([]).join('');
  }

  /**
   * The same text in pieces appended to `out`: per family its header, then its lines per
   * instance. A server writes them as they are: one text of all of them (1.5 MB at 5,000
   * participants) cost more to flatten and encode than rendering it (issue 16).
   */
  pieces(out: string[]): string[] {
    const live = this.view.instances;
    for (const key of this.kept.keys()) if (!live.has(key)) this.kept.delete(key);
    const current: Kept[] = [];
    for (const [key, inst] of live) {
      let r = this.kept.get(key);
      if (r?.version !== inst.version) this.kept.set(key, (r = this.aggregate(inst, r)));
      current.push(r);
    }
    for (const f of this.families) {
      out.push(f.header);
      for (const r of current) out.push(f.lines(r));
    }
    return out;
  }

  private aggregate(
    inst: { ref: InstanceRef; participants: ReadonlyMap<string, LiveParticipant>; version: number },
    before: Kept | undefined,
  ): Kept {
    const { ref, participants } = inst;
    // The UUID is the instance's identity: two instances of one meeting number (a recurring
    // meeting's, or a pushed UUID carrying a live meeting's number) never share a series.
    const labels = `kind="${labelValue(ref.kind)}",instance_id="${labelValue(ref.id)}",instance_uuid="${labelValue(ref.uuid)}"`;
    const values = instanceValues(participants);
    const streams: StreamStats[] = [];
    for (const [stream, slot] of values.streams) {
      const direction = STREAM_BY_NAME.get(stream)?.direction ?? 'unknown';
      streams.push({
        labels: `${labels},stream="${labelValue(stream)}",direction="${direction}"`,
        stats: statsOf(values, slot, STREAM_METRICS.length),
      });
    }
    const kept: Kept = {
      version: inst.version,
      labels,
      participants: participants.size,
      topic: this.options.topicLabel ? labelValue(ref.topic) : '',
      streams,
      sample: statsOf(values, SAMPLE_SLOT, SAMPLE_METRICS.length),
      lines: new Map(),
      blocks: [],
    };
    if (this.options.participantSeries) {
      const n = participantFamilies(this.options.participantIdentity).length;
      const perFamily: string[][] = Array.from({ length: n }, () => []);
      for (const [key, s] of participants) {
        let p = before?.lines.get(key);
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
