import { readPushedSummaries } from '../poll/webhooks/summary-store.js';
import type { StateFiles } from '../util/state-files.js';
import type { KeptData } from './fetch.js';

/**
 * The QoS summaries Zoom pushed about an instance (QSS `*_qos_summary` events, kept by the
 * webhook receiver in state.dir/webhooks/summaries), as entries of the API's answer; undefined
 * when none were pushed.
 */
export function pushedSummaries(files: StateFiles, stateDir: string): KeptData['pushedSummaries'] {
  return (instance) => {
    const kept = readPushedSummaries(files, stateDir, instance);
    if (!kept) return undefined;
    const entries = Object.values(kept.participants)
      .map((p) => p.qos_summary)
      .filter((q): q is Record<string, unknown> => q !== undefined);
    return entries.length ? entries : undefined;
  };
}
