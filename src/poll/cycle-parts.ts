import type { PipelineEvent } from '../normalize/events.js';
import type { QosSample } from '../normalize/sample.js';

/** What a cycle chose to poll, and what pushes saved it. */
export interface CycleChoice {
  selected: string[];
  deferred: number;
  pushed: number;
  callsSaved: number;
  intervalMs: number;
  fullCycleMs: number;
}

/** What a cycle's polls found, and the events they hand on once all are done. */
export interface PollTally {
  samples: number;
  errors: number;
  participants: number;
  cycleSamples: QosSample[];
  after: PipelineEvent[];
}
