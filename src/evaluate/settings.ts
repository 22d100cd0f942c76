/** Which rules run and how (config/ assembles it from `rules:`; durations in ms). */
export interface RulesSettings {
  /** Rule files and folders, absolute (the shipped rules when the file names none). */
  paths: string[];
  /** A gap between a series' observations longer than this starts its pending and recovery clocks again. */
  gapToleranceMs: number;
}
