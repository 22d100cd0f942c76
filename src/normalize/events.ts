import type { InstanceRef, QosSample } from './sample.js';

/**
 * What the pipeline carries from the sources (polling and pushed QSS webhooks) to evaluation,
 * metrics and `qoswatch once`: normalized samples, and what became of participants and instances.
 */
export type PipelineEvent =
  | { type: 'samples'; samples: QosSample[] }
  | { type: 'left'; instance: InstanceRef; participant: string; at: number }
  /** A poll listed these participants as present; anyone else has gone. */
  | { type: 'polled'; instance: InstanceRef; present: string[]; at: number }
  | { type: 'ended'; instance: InstanceRef; at: number };

/** Where sources hand on what they learn: evaluation, metrics, `qoswatch once`. */
export interface SampleSink {
  handle(event: PipelineEvent): void;
}

/** The key an instance is known by everywhere (maps, sets, the live state): kind and UUID. */
export const instanceKey = (ref: Pick<InstanceRef, 'kind' | 'uuid'>): string => `${ref.kind}:${ref.uuid}`;
