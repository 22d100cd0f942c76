import type { Alert } from '../evaluate/alert.js';
import { RuleEngine } from '../evaluate/engine.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import { joinKey } from '../normalize/identity.js';
import { contextFromRaw, normalizeParticipant } from '../normalize/normalize.js';
import { str, visible } from '../normalize/zoom-text.js';
import { isJsonObject } from '../util/json-object.js';
import type { InstanceRef, ParticipantContext, QosSample, SourceKind } from '../normalize/sample.js';
import { NormalizeStats } from '../normalize/stats.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import { isEnded, isZoomError, ZoomError } from '../zoom/errors.js';
import { REPORT_KINDS } from './endpoints.js';
import { fetchReportData, resolveInstance } from './fetch.js';
import { inspectView, type InspectParticipant, type InspectView } from './inspect-view.js';
import { holdReserve } from './make.js';
import { checkBudget, growReservation, reserveFirst, type ReserveWait } from './reserve.js';
import type { ReportInstance } from './types.js';
import { leaveOf } from '../poll/joins.js';

type Raw = Record<string, unknown>;

export interface InspectOptions {
  kind: SourceKind;
  /** Meeting or webinar number, session id, or the live instance's UUID. */
  id: string;
  /** A join's participant id (`user_id`; Video SDK: the user's `id`), or a name or e-mail of one participant. */
  participant?: string;
  rules: CompiledRule[];
  gapToleranceMs: number;
  /** Calls of the day's budget to leave to live polling: inspect is refused before it would eat into them. */
  reserve: number;
  clock: Clock;
  signal?: AbortSignal;
  /** Reserve the calls in the shared budget before spending them (`qoswatch inspect`: see makeReport). */
  reserveCalls?: boolean;
  /** With `reserveCalls`: how long to wait for the others, and who is told (see makeReport). */
  wait?: Omit<ReserveWait, 'clock' | 'signal'>;
}

/**
 * Before the inspection's next calls: `need` in all, of which `spent` made, reserved in the
 * shared budget (or checked against what is left, without reserving).
 */
async function budgetFor(client: ZoomClient, o: InspectOptions, need: number, spent: number): Promise<void> {
  if (!o.reserveCalls) {
    checkBudget(client, need - spent, o.reserve);
    return;
  }
  const wait: ReserveWait = { ...o.wait, clock: o.clock, ...(o.signal ? { signal: o.signal } : {}) };
  // The first: before the details, with the sizing turn; then grown to what the details foretell.
  if (spent === 0) await reserveFirst(client, need, o.reserve, 'inspection', wait);
  else await growReservation(client, need, spent, o.reserve, 'inspection', wait);
}

/**
 * Calls an inspection costs at most: the instance's details (1), then for one participant
 * its QoS (1), and when Zoom does not know the id, the participants list to find a name
 * (1 a 300) and the QoS again (1); for the whole instance, the QoS list (1 a 10) and the
 * participants list (1 a 300).
 */
export function inspectCost(kind: SourceKind, participants: number, one: boolean): number {
  const list = kind === 'session' ? 0 : Math.ceil(Math.max(1, participants) / 300);
  return one ? 2 + list + 1 : 1 + Math.ceil(Math.max(1, participants) / 10) + list;
}

/** The pending and firing alerts the rules raise over these samples, replayed in time order. */
export function replayActive(
  rules: CompiledRule[],
  gapToleranceMs: number,
  samples: readonly QosSample[],
): Alert[] {
  const engine = new RuleEngine(rules, { gapToleranceMs });
  const byTime = new Map<number, QosSample[]>();
  for (const s of samples) byTime.set(s.time, [...(byTime.get(s.time) ?? []), s]);
  for (const t of [...byTime.keys()].sort((a, b) => a - b))
    engine.handle({ type: 'samples', samples: byTime.get(t)! });
  return engine.active();
}

const refOf = (i: ReportInstance): InstanceRef => ({ kind: i.kind, id: i.id, uuid: i.uuid, topic: i.topic });

/** One participant's QoS by the join's id; undefined when Zoom does not know that id in this instance. */
async function singleQos(
  client: ZoomClient,
  instance: ReportInstance,
  participantId: string,
  signal?: AbortSignal,
): Promise<Raw | undefined> {
  try {
    const body = await client.get(
      REPORT_KINDS[instance.kind].single,
      { id: instance.uuid, participantId },
      { type: 'live' },
      signal,
    );
    if (!isJsonObject(body)) return undefined;
    // Zoom's answer names the join it is about: another than the one asked for is not shown as it.
    const got = joinKey(body, instance.kind);
    if (got && got !== participantId)
      throw new ZoomError(
        'ZOOM_BAD_RESPONSE',
        `asked Zoom for participant ${JSON.stringify(participantId)} and it answered for ${instance.kind === 'session' ? 'id' : 'user_id'} ${JSON.stringify(got)}${str(body.user_name) || str(body.name) ? ` (${visible(str(body.user_name) || str(body.name))})` : ''}: not shown, as it may be someone else's QoS; run 'qoswatch inspect' without a participant to see the participants and their ids`,
        { endpoint: REPORT_KINDS[instance.kind].single.name },
      );
    return body;
  } catch (err) {
    // Zoom answers a participant it does not know as an ended meeting (404, code 3001).
    if (isEnded(err) || isZoomError(err, 'ZOOM_NOT_FOUND')) return undefined;
    throw err;
  }
}

/** The join a name, e-mail or id names in the participants list (one page a 300); an error when none or several. */
async function findJoin(
  client: ZoomClient,
  instance: ReportInstance,
  who: string,
  signal?: AbortSignal,
): Promise<{ id: string; context: ParticipantContext }> {
  const ep = REPORT_KINDS[instance.kind].participants;
  const hint = `run 'qoswatch inspect' without a participant to see the participants and their ids`;
  if (!ep)
    throw new Error(
      `Zoom knows no user ${JSON.stringify(who)} in this session (give the user's id; ${hint})`,
    );
  const want = who.trim().toLowerCase();
  const found = new Map<string, Raw>();
  let cut: string | undefined;
  for await (const page of client.pages<Raw>(
    ep,
    { id: instance.uuid },
    { type: 'live' },
    {
      ...(signal ? { signal } : {}),
      joinOf: (p) => joinKey(p, instance.kind),
      strict: true,
      cut: (why) => (cut = why),
    },
  ))
    for (const p of page.filter(isJsonObject))
      if (
        leaveOf(p).leaveTime === undefined &&
        [p.user_name, p.email, p.user_id, p.id].some((v) => str(v).toLowerCase() === want)
      )
        found.set(joinKey(p, instance.kind), p);
  if (found.size === 1) {
    const [id, p] = [...found][0]!;
    return { id, context: contextFromRaw(p) };
  }
  if (!found.size)
    throw new Error(
      cut === undefined
        ? `no participant ${JSON.stringify(who)} is in this ${instance.kind} now (${hint})`
        : `no participant ${JSON.stringify(who)} in Zoom's participants list of this ${instance.kind}, which was cut short (${cut}): one past the cut is not found by name; give the participant's id (${hint})`,
    );
  throw new Error(
    `${found.size} participants in this ${instance.kind} match ${JSON.stringify(who)}: give one of their ids: ${[...found.keys()].join(', ')}`,
  );
}

/** The live instance `o` names; one Zoom says is not going on is an error that points to `report`. */
async function liveInstance(client: ZoomClient, o: InspectOptions): Promise<ReportInstance> {
  try {
    return await resolveInstance(client, o.kind, o.id, o.signal, true);
  } catch (err) {
    if (!isEnded(err)) throw err;
    throw new Error(
      `no live ${o.kind} ${JSON.stringify(o.id)}: Zoom says it is not going on now (for one that has ended: qoswatch report)`,
      { cause: err },
    );
  }
}

type Names = Map<string, { name: string; email: string }>;

/** One participant's live QoS, by id, else found by name or e-mail in the participants list. */
async function oneParticipant(
  client: ZoomClient,
  o: InspectOptions,
  instance: ReportInstance,
  who: string,
  spent: number,
): Promise<{ samples: QosSample[]; names: Names; key: string }> {
  await budgetFor(client, o, inspectCost(o.kind, instance.participants ?? 1, true), spent);
  let raw = await singleQos(client, instance, who, o.signal);
  let listed: ParticipantContext = {};
  if (!raw) {
    const join = await findJoin(client, instance, who, o.signal);
    listed = join.context;
    raw = await singleQos(client, instance, join.id, o.signal);
    if (!raw) throw new Error(`participant ${join.id} left this ${o.kind} before Zoom answered`);
  }
  const samples = normalizeParticipant(refOf(instance), raw, listed, new NormalizeStats());
  const key = samples[0]?.participant.key ?? joinKey(raw, o.kind);
  return {
    samples,
    key,
    names: new Map([
      [key, { name: visible(str(raw.user_name) || str(raw.name)), email: visible(str(raw.email)) }],
    ]),
  };
}

/** Every participant's live QoS and the participants list, holding the reserve before every page. */
async function allParticipants(
  client: ZoomClient,
  o: InspectOptions,
  instance: ReportInstance,
  before: number,
): Promise<{ samples: QosSample[]; names: Names; cutNote: string }> {
  const need = inspectCost(o.kind, instance.participants ?? 1, false);
  await budgetFor(client, o, need, client.budget.usedHere() - before);
  const data = await fetchReportData(client, instance, 'samples', o.signal, {
    beforePage: holdReserve(client, o.reserve, () => client.budget.usedHere() - before, 'inspection', need),
  });
  return {
    samples: data.samples,
    names: new Map([...data.joins].map(([k, j]) => [k, { name: j.name, email: j.email }])),
    cutNote: data.cutNote,
  };
}

/**
 * Zoom's live view of one instance (its live QoS list and participants list) or of one
 * participant (the single-participant QoS endpoint), with the rules replayed over the samples
 * Zoom returns. Every call goes through `client`: its rate limits and the daily budget.
 */
export async function inspectFromZoom(
  client: ZoomClient,
  o: InspectOptions,
): Promise<{ view: InspectView; one?: InspectParticipant }> {
  const before = client.budget.usedHere();
  await budgetFor(client, o, 2, 0);
  const instance = await liveInstance(client, o);
  const got: { samples: QosSample[]; names: Names; key?: string; cutNote?: string } =
    o.participant !== undefined
      ? await oneParticipant(client, o, instance, o.participant, client.budget.usedHere() - before)
      : await allParticipants(client, o, instance, before);
  const { samples, names, key, cutNote = '' } = got;
  const rules = key === undefined ? o.rules : o.rules.filter((r) => r.scope === 'participant');
  const view = inspectView({
    instance: refOf(instance),
    samples,
    names,
    rules,
    alerts: replayActive(rules, o.gapToleranceMs, samples),
    identity: true,
    source:
      key === undefined
        ? `Zoom's live QoS list (the last minutes Zoom keeps of each participant) and participants list; the rules replayed over them by qoswatch.${cutNote}`
        : "Zoom's live QoS of this participant (the last minutes Zoom keeps); the participant rules replayed over them by qoswatch.",
    calls: client.budget.usedHere() - before,
    now: o.clock.now(),
  });
  if (key === undefined) return { view };
  const one = view.participants.find((p) => p.key === key) ?? {
    key,
    name: names.get(key)?.name ?? '',
    email: names.get(key)?.email ?? '',
    context: {},
    rows: [],
    alerts: [],
  };
  return { view, one };
}
