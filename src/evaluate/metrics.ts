import type { QosSample } from '../normalize/sample.js';
import { CPU_PRESSURE_LEVELS } from '../normalize/values.js';
import { STREAMS, type StreamInfo } from '../normalize/streams.js';

/** The unit family of a metric: what its thresholds are written in. */
export type UnitKind = 'duration' | 'percent' | 'bitrate' | 'fps' | 'pixels' | 'dbm' | 'level';

export interface MetricDef {
  name: string;
  unit: UnitKind;
  /** True for metrics read from streams; false for per-sample ones (CPU, Wi-Fi). */
  perStream: boolean;
  /** Reads the value from one stream's metrics or the sample; undefined when missing. */
  read: (sample: QosSample, stream?: string) => number | undefined;
  /** Example threshold for error messages. */
  example: string;
}

const fromStream =
  (key: 'latency' | 'jitter' | 'avgLoss' | 'maxLoss' | 'bitrate' | 'frameRate' | 'height') =>
  (s: QosSample, stream?: string): number | undefined =>
    stream === undefined ? undefined : s.streams[stream]?.[key];

export const METRICS: readonly MetricDef[] = [
  { name: 'latency', unit: 'duration', perStream: true, read: fromStream('latency'), example: '300ms' },
  { name: 'jitter', unit: 'duration', perStream: true, read: fromStream('jitter'), example: '40ms' },
  { name: 'avg_loss', unit: 'percent', perStream: true, read: fromStream('avgLoss'), example: '5%' },
  { name: 'max_loss', unit: 'percent', perStream: true, read: fromStream('maxLoss'), example: '10%' },
  { name: 'bitrate', unit: 'bitrate', perStream: true, read: fromStream('bitrate'), example: '500kbps' },
  { name: 'frame_rate', unit: 'fps', perStream: true, read: fromStream('frameRate'), example: '10fps' },
  { name: 'resolution', unit: 'pixels', perStream: true, read: fromStream('height'), example: '360p' },
  { name: 'cpu_zoom_avg', unit: 'percent', perStream: false, read: (s) => s.cpu?.zoomAvg, example: '90%' },
  { name: 'cpu_zoom_max', unit: 'percent', perStream: false, read: (s) => s.cpu?.zoomMax, example: '90%' },
  {
    name: 'cpu_system_max',
    unit: 'percent',
    perStream: false,
    read: (s) => s.cpu?.systemMax,
    example: '95%',
  },
  {
    name: 'cpu_pressure',
    unit: 'level',
    perStream: false,
    read: (s) => (s.cpuPressure ? CPU_PRESSURE_LEVELS.indexOf(s.cpuPressure) : undefined),
    example: 'serious',
  },
  { name: 'wifi_rssi', unit: 'dbm', perStream: false, read: (s) => s.wifi?.avg, example: '-70dBm' },
];

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
