/** How polling runs (config/ assembles it from `poll:`; durations in ms). */
export interface PollSettings {
  minIntervalMs: number;
  maxIntervalMs: number;
  discoveryIntervalMs: number;
  contextRefreshMs: number;
  freshAgeMs: number;
  concurrency: number;
  shutdownTimeoutMs: number;
}
