import { join } from 'node:path';
import {
  CONTEXT,
  COUNT,
  entryCheck,
  isObject,
  StateFiles,
  TIME,
  validEntries,
  validMap,
} from '../util/state-files.js';
import type { EngineState, SeriesRecord } from './engine.js';

const VERSION = 1;

const checkSeries = entryCheck({
  type: 'object',
  required: ['id', 'rule', 'state', 'lastTime', 'value', 'context'],
  properties: {
    id: { type: 'string', minLength: 1 },
    rule: { type: 'string', minLength: 1 },
    state: { enum: ['pending', 'firing'] },
    lastTime: TIME,
    value: { type: 'number' },
    pendingSince: TIME,
    firingSince: TIME,
    recoveringSince: TIME,
    instance: { type: 'string' },
    participantKey: { type: 'string' },
    group: { type: 'string' },
    explainedBy: { type: 'string' },
    breaching: COUNT,
    participants: COUNT,
    context: CONTEXT,
  },
});
const checkTime = entryCheck(TIME);

/** What the alert state file holds: the alert series, and how far each participant's samples were evaluated. */
export interface SavedAlertState {
  series: SeriesRecord[];
  /** Newest sample time evaluated per participant (`instance/participant`). */
  evaluated: Record<string, number>;
}

/**
 * Pending and firing alerts in the state directory, written durably after each cycle and read
 * at start-up, so a restart neither fires an alert again nor forgets one. With them, the
 * newest sample time evaluated for each participant: Zoom repeats the last minutes' samples,
 * and after a restart those must not fire (and notify) an alert that already came and went.
 */
export class AlertStateStore {
  readonly file: string;

  constructor(
    stateDir: string,
    private readonly files: StateFiles = new StateFiles(),
  ) {
    this.file = join(stateDir, 'alerts.json');
  }

  load(): SavedAlertState {
    const saved = this.files.read<SavedAlertState>(this.file, (raw) => {
      if (!isObject(raw) || raw.version !== VERSION)
        return { error: `it is not a version ${VERSION} alert state object` };
      const discarded: string[] = [];
      const series = validEntries<SeriesRecord>('series', raw.series, checkSeries, discarded);
      const evaluated = validMap<number>('evaluated', raw.evaluated, checkTime, discarded);
      return { value: { series, evaluated }, discarded };
    });
    return saved ?? { series: [], evaluated: {} };
  }

  save(state: EngineState, evaluated: ReadonlyMap<string, number>): void {
    this.files.write(
      this.file,
      JSON.stringify({
        version: VERSION,
        series: [...state.series.values()],
        evaluated: Object.fromEntries(evaluated),
      }),
    );
  }
}

export function restoredState(records: readonly SeriesRecord[]): EngineState {
  return {
    series: new Map(records.map((r) => [r.id, { ...r, context: { ...r.context } }])),
    members: new Map(),
  };
}
