/**
 * Every stream object Zoom puts in a QoS sample. `input` is what the participant sends,
 * `output` what it receives; the Cloud Room Connector (crc) and web client (rwg) variants
 * say the same from the connector's side: `device_to_*` is sent, `device_from_*` received.
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

function build(): StreamInfo[] {
  const out: StreamInfo[] = [];
  for (const media of ['audio', 'video', 'share'] as const) {
    const p = MEDIA_PREFIX[media];
    out.push({ name: `${p}_input`, media, direction: 'sent', via: 'client' });
    out.push({ name: `${p}_output`, media, direction: 'received', via: 'client' });
    for (const via of ['crc', 'rwg'] as const) {
      out.push({ name: `${p}_device_to_${via}`, media, direction: 'sent', via });
      out.push({ name: `${p}_device_from_${via}`, media, direction: 'received', via });
    }
  }
  return out;
}

export const STREAMS: readonly StreamInfo[] = build();
export const STREAM_BY_NAME: ReadonlyMap<string, StreamInfo> = new Map(STREAMS.map((s) => [s.name, s]));
export type StreamName = string;
