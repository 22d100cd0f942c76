import type { QosSample } from './sample.js';

/**
 * One sample as `qoswatch once` prints it (one JSON object per line). Field names and units
 * are documented in docs/samples.md; keep the two in step.
 */
export function sampleToJson(s: QosSample): Record<string, unknown> {
  return {
    time: new Date(s.time).toISOString(),
    kind: s.instance.kind,
    instance: { id: s.instance.id, uuid: s.instance.uuid, topic: s.instance.topic },
    participant: s.participant,
    context: s.context,
    streams: s.streams,
    ...(s.cpu ? { cpu: s.cpu } : {}),
    ...(s.cpuPressure ? { cpu_pressure: s.cpuPressure } : {}),
    ...(s.wifi ? { wifi_rssi: s.wifi } : {}),
  };
}
