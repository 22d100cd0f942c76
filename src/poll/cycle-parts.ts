import type { PipelineEvent } from '../normalize/events.js';
import type { QosSample } from '../normalize/sample.js';
import type { CoverageReport } from './coverage.js';

/** What one poll cycle did (the status API and metrics read it). */
export interface CycleReport {
  startedAt: number;
  finishedAt: number;
  /** Time from this cycle's start to the next one's. */
  intervalMs: number;
  /** The budget-optimal time to poll everything once. */
  fullCycleMs: number;
  live: number;
  polled: number;
  deferred: number;
  participants: number;
  samples: number;
  calls: number;
  /** Polls that failed, and discoveries (a source's list call) that did. */
  errors: number;
  /** Live instances whose QoS came by push this cycle, so polling left them alone. */
  pushed: number;
  /** Calls those polls would have cost. */
  callsSaved: number;
  coverage: CoverageReport;
}

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
  /** Polls started (answered or failed): fewer than planned when a stop cut the cycle short. */
  polled: number;
  /** Chosen polls left for a later cycle: Zoom's 429 paused their category (Heavy). */
  paused: number;
  samples: number;
  errors: number;
  participants: number;
  cycleSamples: QosSample[];
  after: PipelineEvent[];
}
