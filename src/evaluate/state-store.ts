import { join } from 'node:path';
import {
  CONTEXT,
  COUNT,
  entryCheck,
  StateFiles,
  STRING_MAP,
  TIME,
  validEntries,
  validMap,
} from '../util/state-files.js';
import { isJsonObject } from '../util/json-object.js';
import { instanceKey } from '../normalize/events.js';
import type { Alert } from './alert.js';
import { JoinSlots } from './join-slots.js';
import {
  copyOf,
  groupSeriesId,
  seriesRecord,
  takeChanged,
  unsaved,
  type EngineState,
  type Member,
  type SeriesRecord,
} from './series.js';

const VERSION = 1;
/** Saves a store skips in a row at most when nothing changed (see AlertStateStore.save). */
const MAX_SKIPPED = 4;
/**
 * Written beside `version` since alerts carry the `instance_uuid` label: the series of a file
 * without it keep the labels they were notified with (SeriesRecord.withoutUuidLabel). The
 * version stays 1, so that an older qoswatch still reads the file.
 */
const LABELS = 2;

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
    // Since alerts say how bad they got (lifecycle.ts, Series.priorWorst): an older file has none.
    priorWorst: { type: 'number' },
    priorWorstAt: TIME,
    firingSince: TIME,
    recoveringSince: TIME,
    instance: { type: 'string' },
    participantKey: { type: 'string' },
    group: { type: 'string' },
    explainedBy: { type: 'string' },
    breaching: COUNT,
    participants: COUNT,
    context: CONTEXT,
    withoutUuidLabel: { const: true },
    firedLabels: STRING_MAP,
    // Since departures are counted in the state file: an older file has none (series.ts, Departed).
    departed: {
      type: 'object',
      required: ['left', 'moved'],
      properties: {
        left: COUNT,
        moved: COUNT,
        members: { type: 'object', additionalProperties: { enum: ['left', 'moved'] } },
        fresh: { const: true },
      },
    },
  },
});
const checkTime = entryCheck(TIME);
const checkMember = entryCheck({
  type: 'object',
  required: ['rule', 'key', 'member', 'time', 'breaching', 'value', 'context', 'instance'],
  properties: {
    rule: { type: 'string', minLength: 1 },
    key: { type: 'string', minLength: 1 },
    member: { type: 'string', minLength: 1 },
    time: TIME,
    breaching: { type: 'boolean' },
    value: { type: 'number' },
    context: CONTEXT,
    instance: {
      type: 'object',
      required: ['kind', 'id', 'uuid', 'topic'],
      properties: {
        kind: { enum: ['meeting', 'webinar', 'session'] },
        id: { type: 'string' },
        uuid: { type: 'string' },
        topic: { type: 'string' },
      },
    },
  },
});

const checkResolved = entryCheck({
  type: 'object',
  required: [
    'id',
    'rule',
    'state',
    'severity',
    'scope',
    'labels',
    'annotations',
    'context',
    'since',
    'resolvedAt',
  ],
  properties: {
    id: { type: 'string', minLength: 1 },
    rule: { type: 'string' },
    state: { const: 'resolved' },
    severity: { type: 'string' },
    scope: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    context: CONTEXT,
    since: TIME,
    resolvedAt: TIME,
  },
});

/** One member reading of a meeting or shared-cause group, as saved: the rule, the group and the member. */
export interface SavedMember extends Member {
  rule: string;
  key: string;
  member: string;
}

/**
 * The member readings of every group that has a pending or firing alert: what a restart must
 * not forget. Without them the first instance polled after a restart is judged alone: three
 * of a data center's six breaching participants are "fewer than min_participants", and the
 * incident would resolve (and what it explained be paged) though nothing recovered.
 */
export function savedMembers(state: EngineState): SavedMember[] {
  const out: SavedMember[] = [];
  for (const [rule, byKey] of state.members)
    for (const [key, members] of byKey) {
      if (!state.series.has(groupSeriesId(rule, key))) continue;
      for (const [slot, m] of members) out.push({ rule, key, member: memberKey(state, key, slot), ...m });
    }
  return out;
}

/**
 * A member as saved: its participant key in an instance's group (the group is the instance),
 * `instance/participant` in a shared cause's.
 */
function memberKey(state: EngineState, key: string, slot: number): string {
  const ikey = state.slots.instanceKeyOf(slot);
  const pkey = state.slots.participantKeyOf(slot);
  return key === ikey ? pkey : `${ikey}/${pkey}`;
}

/** What the alert state file holds: the alert series, and how far each participant's samples were evaluated. */
export interface SavedAlertState {
  series: SeriesRecord[];
  /** Newest sample time evaluated per participant (`instance/participant`). */
  evaluated: Record<string, number>;
  /** Member readings of the groups with an alert series (see savedMembers). */
  members: SavedMember[];
  /**
   * Resolves of the last save not yet handed to the dispatcher when it was written: after a
   * kill between the two saves, the dispatcher sends them with their own (sample) end time.
   */
  resolved: Alert[];
}

/**
 * Pending and firing alerts in the state directory, written durably after each cycle and read
 * at start-up, so a restart neither fires an alert again nor forgets one. With them, the
 * newest sample time evaluated for each participant: Zoom repeats the last minutes' samples,
 * and after a restart those must not fire (and notify) an alert that already came and went.
 */
export class AlertStateStore {
  readonly file: string;
  /** Saves skipped in a row (see save). */
  private skipped = 0;

  constructor(
    stateDir: string,
    private readonly files: StateFiles = new StateFiles(),
  ) {
    this.file = join(stateDir, 'alerts.json');
  }

  load(): SavedAlertState {
    const saved = this.files.read<SavedAlertState>(this.file, (raw) => {
      if (!isJsonObject(raw) || raw.version !== VERSION)
        return { error: `it is not a version ${VERSION} alert state object` };
      const discarded: string[] = [];
      const series = validEntries<SeriesRecord>('series', raw.series, checkSeries, discarded);
      if (raw.labels !== LABELS)
        for (const s of series) {
          s.withoutUuidLabel = true;
          // Labels from before `instance_uuid` (an older qoswatch kept a newer one's fields).
          if (s.firedLabels) delete s.firedLabels.instance_uuid;
        }
      const evaluated = validMap<number>('evaluated', raw.evaluated, checkTime, discarded);
      const members = validEntries<SavedMember>('members', raw.members, checkMember, discarded);
      const resolved = validEntries<Alert>('resolved', raw.resolved, checkResolved, discarded);
      return { value: { series, evaluated, members, resolved }, discarded };
    });
    return saved ?? { series: [], evaluated: {}, members: [], resolved: [] };
  }

  /**
   * Writes the state, unless `force` is false and nothing changed since the last write but the
   * newest time and value of series that stayed where they were and the times evaluated (no
   * series came, went or moved, no group has an alert, no resolve waits), at most
   * MAX_SKIPPED times in a row. What such a save leaves out is made again after a restart: Zoom
   * repeats the last minutes, and an engine given the samples after the times saved takes the
   * same steps again, none of which changed anything. Returns whether it wrote.
   */
  save(
    state: EngineState,
    evaluated: Iterable<readonly [string, number]>,
    resolved: readonly Alert[] = [],
    force = true,
  ): boolean {
    const members = savedMembers(state);
    const changed = takeChanged(state);
    if (!force && !changed && !members.length && !resolved.length && this.skipped < MAX_SKIPPED) {
      this.skipped++;
      return false;
    }
    this.skipped = 0;
    // The text JSON.stringify would make of { version, labels, series, evaluated, members,
    // resolved }, the evaluated times written from their map: an object made of a map of 100,000
    // participants (Object.fromEntries) cost 3x what the text does.
    this.files.write(
      this.file,
      `{"version":${VERSION},"labels":${LABELS},"series":${JSON.stringify([...state.series.values()])},` +
        `"evaluated":${timesJson(evaluated)},"members":${JSON.stringify(members)},` +
        `"resolved":${JSON.stringify(resolved)}}`,
    );
    return true;
  }
}

/** `JSON.stringify(Object.fromEntries(times))`, without the object. */
function timesJson(times: Iterable<readonly [string, number]>): string {
  const parts: string[] = [];
  for (const [who, t] of times) parts.push(`${JSON.stringify(who)}:${JSON.stringify(t)}`);
  return `{${parts.join(',')}}`;
}

export function restoredState(
  records: readonly SeriesRecord[],
  saved: readonly SavedMember[] = [],
): EngineState {
  const members = new Map<string, Map<string, Map<number, Member>>>();
  const slots = new JoinSlots();
  for (const { rule, key, member, ...m } of saved) {
    let byKey = members.get(rule);
    if (!byKey) members.set(rule, (byKey = new Map<string, Map<number, Member>>()));
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = new Map<number, Member>()));
    const ikey = instanceKey(m.instance);
    const pkey = key !== ikey && member.startsWith(`${ikey}/`) ? member.slice(ikey.length + 1) : member;
    group.set(slots.slot(ikey, pkey), { ...m, context: { ...m.context }, instance: { ...m.instance } });
  }
  return unsaved({
    series: new Map(
      records.map((r) => [r.id, seriesRecord(r.id, r.rule, { ...copyOf(r), context: { ...r.context } })]),
    ),
    members,
    slots,
  });
}
