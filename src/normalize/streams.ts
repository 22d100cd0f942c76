/**
 * Every stream object Zoom puts in a QoS sample. `input` is what the participant sends,
 * `output` what it receives. For the Cloud Room Connector (crc) and web client (rwg) legs,
 * Zoom's spec says `*_device_from_*` is what the participant sends and `*_device_to_*` what
 * it receives.
 */
export type Media = 'audio' | 'video' | 'share';
export type Direction = 'sent' | 'received';

export interface StreamInfo {
  name: string;
  media: Media;
  direction: Direction;
  /** `client` for the plain streams, else the gateway that measured it. */
  via: 'client' | 'crc' | 'rwg';
}

const MEDIA_PREFIX: Record<Media, string> = { audio: 'audio', video: 'video', share: 'as' };

/** The stream object's name in Zoom's answers. */
export function streamName(media: Media, direction: Direction, via: StreamInfo['via']): string {
  const p = MEDIA_PREFIX[media];
  if (via === 'client') return `${p}_${direction === 'sent' ? 'input' : 'output'}`;
  return `${p}_device_${direction === 'sent' ? 'from' : 'to'}_${via}`;
}

function build(): StreamInfo[] {
  const out: StreamInfo[] = [];
  for (const media of ['audio', 'video', 'share'] as const)
    for (const via of ['client', 'crc', 'rwg'] as const)
      for (const direction of ['sent', 'received'] as const)
        out.push({ name: streamName(media, direction, via), media, direction, via });
  return out;
}

export const STREAMS: readonly StreamInfo[] = build();
export const STREAM_BY_NAME: ReadonlyMap<string, StreamInfo> = new Map(STREAMS.map((s) => [s.name, s]));
