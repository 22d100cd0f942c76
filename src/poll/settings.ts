/** How polling runs (config/ assembles it from `poll:`; durations in ms). */
export interface PollSettings {
  minIntervalMs: number;
  maxIntervalMs: number;
  discoveryIntervalMs: number;
  contextRefreshMs: number;
  /** Zoom's quality verdicts (participants list only) are re-read this often while wanted. */
  verdictRefreshMs: number;
  /** `poll.list_fields`: list-only fields (rule names) read even when no rule uses them. */
  listFields: readonly string[];
  freshAgeMs: number;
  concurrency: number;
}

/** Which poll sources run (config/ assembles it from `sources:`). */
export interface SourcesSettings {
  meetings: boolean;
  webinars: boolean;
  sessions: boolean;
}
