import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.js';
import type { EngineState, SeriesRecord } from './engine.js';

const VERSION = 1;

/**
 * Pending and firing alerts in the state directory, written atomically after each cycle and
 * read at start-up, so a restart neither fires an alert again nor forgets one.
 */
export class AlertStateStore {
  readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'alerts.json');
  }

  load(): SeriesRecord[] {
    const data = readJsonFile(this.file) as { version?: number; series?: unknown } | undefined;
    if (!data || data.version !== VERSION || !Array.isArray(data.series)) return [];
    return (data.series as SeriesRecord[]).filter(
      (s) =>
        typeof s.id === 'string' &&
        typeof s.rule === 'string' &&
        (s.state === 'pending' || s.state === 'firing') &&
        typeof s.lastTime === 'number',
    );
  }

  save(state: EngineState): void {
    writeFileAtomic(this.file, JSON.stringify({ version: VERSION, series: [...state.series.values()] }));
  }
}

export function restoredState(records: readonly SeriesRecord[]): EngineState {
  return { series: new Map(records.map((r) => [r.id, { ...r }])), members: new Map() };
}
