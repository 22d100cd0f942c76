import type { InstanceRef, QosSample } from '../../normalize/sample.js';
import { STREAM_BY_NAME } from '../../normalize/streams.js';
import {
  instanceValues,
  SAMPLE_METRICS,
  SAMPLE_SLOT,
  stats,
  STREAM_METRICS,
  type Stats,
} from './aggregates.js';
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
    { ref: InstanceRef; participants: ReadonlyMap<string, QosSample>; version: number }
  >;
}

interface Family {
  name: string;
  header: string;
}

/** What is kept rendered of one instance: a block of lines per family, and per participant its lines. */
interface Rendered {
  version: number;
  blocks: string[];
  participants: Map<string, ParticipantLines>;
}

const AGGREGATE_HELP = ' Across the live participants of an instance; aggregation: avg, max or p95.';
const aggregateLines = (name: string, labels: string, a: Stats): string =>
  `${name}{${labels},aggregation="avg"} ${sampleText(a.avg)}\n${name}{${labels},aggregation="max"} ${sampleText(a.max)}\n${name}{${labels},aggregation="p95"} ${sampleText(a.p95)}\n`;

/**
 * Call quality per live instance, in the text exposition format: participants, the topic
 * (opt-in), the per-instance stream and CPU aggregates, and per-participant series (opt-in).
 * Every instance's lines are kept rendered until the instance changes (its `version`), and
 * within it every participant's until their sample does, so a scrape renders only what changed
 * since the last one and concatenates the rest. Instances that ended and participants who left
 * are gone at the next scrape.
 */
export class QualitySeries {
  private readonly families: Family[] = [];
  private readonly rendered = new Map<string, Rendered>();
  /** Index of the first per-participant family, if any. */
  private readonly firstParticipantFamily: number;

  constructor(
    private readonly view: QualityView,
    private readonly options: QualityOptions,
  ) {
    const family = (name: string, help: string): void =>
      void this.families.push({ name, header: familyHeader(name, help) });
    family('qoswatch_instance_participants', 'Participants of a live instance with at least one sample.');
    if (options.topicLabel)
      family(
        'qoswatch_instance_info',
        'The topic of a live instance (enabled by metrics.topic_label); always 1.',
      );
    for (const def of [...STREAM_METRICS, ...SAMPLE_METRICS]) family(def.name, def.help + AGGREGATE_HELP);
    this.firstParticipantFamily = this.families.length;
    if (options.participantSeries)
      for (const f of participantFamilies(options.participantIdentity)) family(f.name, f.help);
  }

  /** The exposition text of every quality family. */
  text(): string {
    const live = this.view.instances;
    for (const key of this.rendered.keys()) if (!live.has(key)) this.rendered.delete(key);
    const current: Rendered[] = [];
    for (const [key, inst] of live) {
      let r = this.rendered.get(key);
      if (r?.version !== inst.version) this.rendered.set(key, (r = this.render(inst, r)));
      current.push(r);
    }
    let out = '';
    for (let f = 0; f < this.families.length; f++) {
      out += this.families[f]!.header;
      for (const r of current) out += r.blocks[f]!;
    }
    return out;
  }

  private render(
    inst: { ref: InstanceRef; participants: ReadonlyMap<string, QosSample>; version: number },
    before: Rendered | undefined,
  ): Rendered {
    const { ref, participants } = inst;
    const labels = `kind="${labelValue(ref.kind)}",instance_id="${labelValue(ref.id)}"`;
    const blocks: string[] = [`qoswatch_instance_participants{${labels}} ${participants.size}\n`];
    if (this.options.topicLabel)
      blocks.push(`qoswatch_instance_info{${labels},topic="${labelValue(ref.topic)}"} 1\n`);

    const values = instanceValues(participants);
    STREAM_METRICS.forEach((def, i) => {
      const lines: string[] = [];
      for (const [stream, slot] of values.streams) {
        const list = values.column(slot, i);
        if (!list.length) continue;
        const direction = STREAM_BY_NAME.get(stream)?.direction ?? 'unknown';
        lines.push(
          aggregateLines(
            def.name,
            `${labels},stream="${labelValue(stream)}",direction="${direction}"`,
            stats(list),
          ),
        );
      }
      // Joined, not concatenated: a flat string is kept, not a tree of the pieces (about half the heap).
      blocks.push(lines.join(''));
    });
    SAMPLE_METRICS.forEach((def, i) => {
      const list = values.column(SAMPLE_SLOT, i);
      blocks.push(list.length ? aggregateLines(def.name, labels, stats(list)) : '');
    });

    const kept = new Map<string, ParticipantLines>();
    if (this.options.participantSeries) {
      const n = this.families.length - this.firstParticipantFamily;
      const perFamily: string[][] = Array.from({ length: n }, () => []);
      for (const [key, s] of participants) {
        let p = before?.participants.get(key);
        if (p?.sample !== s) p = renderParticipant(labels, s, this.options.participantIdentity);
        kept.set(key, p);
        for (let f = 0; f < n; f++) if (p.lines[f]) perFamily[f]!.push(p.lines[f]!);
      }
      for (const lines of perFamily) blocks.push(lines.join(''));
    }
    return { version: inst.version, blocks, participants: kept };
  }
}
