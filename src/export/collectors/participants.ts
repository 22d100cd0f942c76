import { shownKey } from '../../normalize/zoom-text.js';
import { SAMPLE_METRICS, STREAM_METRICS } from './aggregates.js';
import type { LiveParticipant } from './live-participant.js';
import { labelValue, sampleText } from './exposition.js';

/** One participant's series, rendered: a string of lines per participant family (same order). */
export interface ParticipantLines {
  sample: LiveParticipant;
  /** The sample's version when rendered (a participant's next sample is written over it). */
  version: number;
  lines: string[];
}

const perStreamName = (name: string): string => name.replace('qoswatch_stream_', 'qoswatch_participant_');
const perSampleName = (name: string): string => name.replace('qoswatch_', 'qoswatch_participant_');

/** The opt-in per-participant families (metrics.participant_series), identity last and only with its own opt-in. */
export function participantFamilies(identity: boolean): { name: string; help: string }[] {
  const help = (h: string): string => `Per participant (metrics.participant_series): ${h}`;
  return [
    ...STREAM_METRICS.map((d) => ({ name: perStreamName(d.name), help: help(d.help) })),
    ...SAMPLE_METRICS.map((d) => ({ name: perSampleName(d.name), help: help(d.help) })),
    ...(identity
      ? [
          {
            name: 'qoswatch_participant_info',
            help: 'Who a participant key is (metrics.participant_identity_labels): name, e-mail, IP; always 1.',
          },
        ]
      : []),
  ];
}

const STREAM_NAMES = STREAM_METRICS.map((d) => perStreamName(d.name));
const SAMPLE_NAMES = SAMPLE_METRICS.map((d) => perSampleName(d.name));

/**
 * A participant's lines of every participant family, labelled by the stable participant key (as
 * shownKey shows it: a right-to-left override in a key is escaped, two keys never share a series)
 * (`instanceLabels`: the instance's kind and id, rendered). Names, e-mails and IPs only with
 * `identity`.
 */
export function renderParticipant(
  instanceLabels: string,
  key: string,
  p: LiveParticipant,
  identity: boolean,
): ParticipantLines {
  const labels = `${instanceLabels},participant="${labelValue(shownKey(key))}"`;
  const lines: string[] = [];
  STREAM_METRICS.forEach((_, i) => {
    const text: string[] = [];
    p.streams.forEach((stream, j) => {
      const v = p.streamValue(j, i);
      if (v !== undefined)
        text.push(`${STREAM_NAMES[i]}{${labels},stream="${labelValue(stream)}"} ${sampleText(v)}\n`);
    });
    lines.push(text.join(''));
  });
  SAMPLE_METRICS.forEach((_, i) => {
    const v = p.sampleValue(i);
    lines.push(v === undefined ? '' : `${SAMPLE_NAMES[i]}{${labels}} ${sampleText(v)}\n`);
  });
  if (identity) {
    lines.push(
      `qoswatch_participant_info{${labels},name="${labelValue(p.name)}",email="${labelValue(p.email)}",ip="${labelValue(p.ip)}"} 1\n`,
    );
  }
  return { sample: p, version: p.version, lines };
}
