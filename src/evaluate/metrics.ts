import { MEASUREMENTS, numericValue as numeric, type BaseUnit, type FieldDef } from '../normalize/catalog.js';
import type { QosSample } from '../normalize/sample.js';
import { STREAMS, type StreamInfo } from '../normalize/streams.js';

/** The unit family of a metric: what its thresholds are written in. */
export type UnitKind = 'duration' | 'percent' | 'bitrate' | 'fps' | 'pixels' | 'dbm' | 'level' | 'number';

export interface MetricDef {
  name: string;
  unit: UnitKind;
  /** For `level` metrics: the words from best to worst; the value is the index. */
  levels?: readonly string[];
  /** True for metrics read from streams; false for per-sample ones (CPU, Wi-Fi). */
  perStream: boolean;
  /** Reads the value from one stream's metrics or the sample; undefined when missing. */
  read: (sample: QosSample, stream?: string) => number | undefined;
  /** Example threshold for error messages. */
  example: string;
  /** The catalog row it comes from. */
  field: FieldDef;
}

const UNIT_KIND: Partial<Record<BaseUnit, UnitKind>> = {
  seconds: 'duration',
  ratio: 'percent',
  bits_per_second: 'bitrate',
  frames_per_second: 'fps',
  pixels: 'pixels',
  dbm: 'dbm',
  level: 'level',
  score: 'number',
};

function reader(f: FieldDef): MetricDef['read'] {
  const k = f.key;
  switch (f.group) {
    case 'stream':
      return (s, stream) =>
        stream === undefined
          ? undefined
          : numeric(f, (s.streams[stream] as Record<string, unknown> | undefined)?.[k]);
    case 'cpu':
      return (s) => numeric(f, (s.cpu as Record<string, unknown> | undefined)?.[k]);
    case 'wifi':
      return (s) => numeric(f, (s.wifi as Record<string, unknown> | undefined)?.[k]);
    case 'cpuPressure':
      return (s) => numeric(f, (s.cpuPressure as Record<string, unknown> | undefined)?.[k]);
    case 'context':
      return () => undefined;
  }
}

/** Every metric a rule may name: the catalog's measurements (and their older names). */
export const METRICS: readonly MetricDef[] = MEASUREMENTS.flatMap((f) => {
  const def: Omit<MetricDef, 'name'> = {
    unit: UNIT_KIND[f.unit]!,
    ...(f.levels ? { levels: f.levels } : {}),
    perStream: f.group === 'stream',
    read: reader(f),
    example: f.example ?? '',
    field: f,
  };
  return [f.rule, ...(f.aliases ?? [])].map((name) => ({ name, ...def }));
});

export const METRIC_BY_NAME: ReadonlyMap<string, MetricDef> = new Map(METRICS.map((m) => [m.name, m]));

/** Stream groups a rule may name instead of single streams. */
export const STREAM_GROUPS: Record<string, (s: StreamInfo) => boolean> = {
  any: () => true,
  any_sent: (s) => s.direction === 'sent',
  any_received: (s) => s.direction === 'received',
  any_audio: (s) => s.media === 'audio',
  any_video: (s) => s.media === 'video',
  any_share: (s) => s.media === 'share',
  audio_sent: (s) => s.media === 'audio' && s.direction === 'sent',
  audio_received: (s) => s.media === 'audio' && s.direction === 'received',
  video_sent: (s) => s.media === 'video' && s.direction === 'sent',
  video_received: (s) => s.media === 'video' && s.direction === 'received',
  share_sent: (s) => s.media === 'share' && s.direction === 'sent',
  share_received: (s) => s.media === 'share' && s.direction === 'received',
};

/** Stream names for a rule's `streams` list (names and groups); unknown names are returned apart. */
export function expandStreams(names: readonly string[]): { streams: string[]; unknown: string[] } {
  const out = new Set<string>();
  const unknown: string[] = [];
  for (const n of names) {
    const group = STREAM_GROUPS[n];
    if (group) {
      for (const s of STREAMS) if (group(s)) out.add(s.name);
    } else if (STREAMS.some((s) => s.name === n)) {
      out.add(n);
    } else {
      unknown.push(n);
    }
  }
  return { streams: [...out], unknown };
}
