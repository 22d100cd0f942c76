import { contextKeys, joinKey } from '../normalize/identity.js';
import { contextFromRaw, normalizeParticipant } from '../normalize/normalize.js';
import { str, visible } from '../normalize/zoom-text.js';
import { parseTime } from '../normalize/values.js';
import { isJsonObject } from '../util/json-object.js';
import { normalizeSummary, type QosSummary } from '../normalize/qos-items.js';
import type { ParticipantContext, QosSample, SourceKind } from '../normalize/sample.js';
import { NormalizeStats } from '../normalize/stats.js';
import type { ZoomClient } from '../zoom/client.js';
import type { Endpoint } from '../zoom/endpoints.js';
import { isEnded, isZoomError, ZoomError } from '../zoom/errors.js';
import { REPORT_KINDS } from './endpoints.js';
import { budgetCutNote, BudgetCutLog } from './budget-cut.js';
import type { BudgetCut, ReportInstance, ReportSource } from './types.js';
import { iso } from './values.js';
import { leaveOf } from '../poll/joins.js';

type Raw = Record<string, unknown>;

export type SourceChoice = 'auto' | 'summary' | 'samples';

/** What Zoom said about one instance, normalized: the input of buildReport. */
export interface ReportData {
  instance: ReportInstance;
  source: ReportSource;
  sourceNote: string;
  summaries: QosSummary[];
  samples: QosSample[];
  /** Per join key: name, e-mail, join and leave times, context (participants list or QoS entry). */
  joins: Map<string, JoinInfo>;
  stats: NormalizeStats;
  /**
   * The listings read short, said as a sentence ('' when none): a listing stopped as a page loop
   * or past its page bound holds only the entries before the cut, so a participant past it is
   * missing from the figures. Also at the end of `sourceNote`.
   */
  cutNote: string;
  /** Present when the budget reserve stopped the reading (KeptData.partialOnStop); said at the end of `sourceNote`. */
  budgetCut?: BudgetCut;
}

export interface JoinInfo {
  name: string;
  email: string;
  joined?: number;
  left?: number;
  context: ParticipantContext;
}

const time = (v: unknown): number | undefined => {
  const t = typeof v === 'string' ? parseTime(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
};

/**
 * The instance a meeting number, session id or UUID names: the latest ended one (`type=past`)
 * or, when none has ended (or `wantLive`), the live one. A UUID is sent double-encoded where Zoom asks
 * (zoom/endpoints.ts). One call, two when the instance is live.
 */
export async function resolveInstance(
  client: ZoomClient,
  kind: SourceKind,
  idOrUuid: string,
  signal?: AbortSignal,
  wantLive = false,
): Promise<ReportInstance> {
  const ep = REPORT_KINDS[kind].details;
  let body: Raw;
  let live = wantLive;
  try {
    body = await client.get(ep, { id: idOrUuid }, { type: wantLive ? 'live' : 'past' }, signal);
  } catch (err) {
    if (!isEnded(err)) throw err;
    // Zoom's words name its endpoint (meeting_details): said as what was asked for instead.
    if (wantLive)
      throw notFound(
        ep,
        `${kind} ${idOrUuid}: not found or no longer live (without --live, a report is of the latest ended instance)`,
        'ZOOM_INSTANCE_ENDED',
      );
    try {
      body = await client.get(ep, { id: idOrUuid }, { type: 'live' }, signal);
      live = true;
    } catch (err2) {
      if (!isEnded(err2)) throw err2;
      throw notFound(
        ep,
        `no ${kind} ${JSON.stringify(idOrUuid)}: Zoom has neither an ended nor a live one (a UUID must be given exactly as Zoom wrote it)`,
      );
    }
  }
  checkDetails(ep, body, kind);
  checkSameInstance(ep, body, kind, idOrUuid);
  const uuid = kind === 'session' ? str(body.id) || idOrUuid : str(body.uuid) || idOrUuid;
  const count = Number(body.participants ?? body.user_count);
  const start = time(body.start_time);
  const end = time(body.end_time);
  const endBeforeStart = end !== undefined && start !== undefined && end < start && !live;
  return {
    kind,
    id: kind === 'session' ? uuid : str(body.id) || idOrUuid,
    uuid,
    topic: visible(str(body.topic) || str(body.session_name)),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined && !live ? (endBeforeStart ? { endBeforeStart: end } : { end }) : {}),
    live,
    ...(Number.isFinite(count) && count > 0 ? { participants: count } : {}),
  };
}

const notFound = (
  ep: Endpoint,
  message: string,
  code: 'ZOOM_NOT_FOUND' | 'ZOOM_INSTANCE_ENDED' = 'ZOOM_NOT_FOUND',
): ZoomError => new ZoomError(code, message, { endpoint: ep.name, status: 404, zoomCode: 3001 });

/**
 * An answer that is JSON but not an instance's details (`{}`, an id of the wrong type) would
 * make an empty report of nothing: ZOOM_BAD_RESPONSE instead, naming the endpoint.
 */
function checkDetails(ep: Endpoint, body: Raw, kind: SourceKind): void {
  const idKey = kind === 'session' ? 'id' : 'uuid';
  const id = body[idKey];
  const count = body[kind === 'session' ? 'user_count' : 'participants'];
  const bad =
    typeof id !== 'string' || !id
      ? `"${idKey}" is ${id === undefined ? 'missing' : JSON.stringify(id)}`
      : count !== undefined && typeof count !== 'number'
        ? `"${kind === 'session' ? 'user_count' : 'participants'}" is ${JSON.stringify(count)}`
        : undefined;
  if (bad)
    throw new ZoomError(
      'ZOOM_BAD_RESPONSE',
      `Zoom's answer to GET ${ep.template} (${ep.name}) is JSON but not the ${kind}'s details expected (a non-empty string "${idKey}", a number of participants): ${bad}`,
      { endpoint: ep.name },
    );
}

/**
 * Zoom's details name the instance they are about: a meeting or webinar number asked for is the
 * answer's `id`, a UUID its `uuid`. An answer about another instance
 * would make a report of someone else's call under the name asked for: ZOOM_BAD_RESPONSE.
 */
function checkSameInstance(ep: Endpoint, body: Raw, kind: SourceKind, asked: string): void {
  // A Video SDK session is asked for by an id Zoom may answer in another form (its UUID): not compared.
  if (kind === 'session') return;
  const field = /^\d+$/.test(asked) ? 'id' : 'uuid';
  const got = str(body[field]);
  if (!got || got === asked) return;
  throw new ZoomError(
    'ZOOM_BAD_RESPONSE',
    `asked Zoom (GET ${ep.template}, ${ep.name}) for the ${kind} ${JSON.stringify(asked)} and it answered about ${field} ${JSON.stringify(got)}: no report made, as it would be another instance's under this name`,
    { endpoint: ep.name },
  );
}

/** The ended instances of a meeting or webinar number, oldest first (one call). */
export async function listPastInstances(
  client: ZoomClient,
  kind: SourceKind,
  id: string,
  signal?: AbortSignal,
): Promise<{ uuid: string; start?: number }[]> {
  const ep = REPORT_KINDS[kind].instances;
  if (!ep) throw new Error('a Video SDK session id names one session: there are no instances to list');
  const body = await client.get(ep, { id }, {}, signal);
  const list = body[ep.itemsKey ?? ''];
  if (!Array.isArray(list))
    throw new ZoomError(
      'ZOOM_BAD_RESPONSE',
      `Zoom's answer to GET ${ep.template} (${ep.name}) is JSON but not the list expected: it has no "${ep.itemsKey ?? ''}" array`,
      { endpoint: ep.name },
    );
  return list
    .filter(isJsonObject)
    .map((i) => {
      const start = time(i.start_time);
      return { uuid: str(i.uuid), ...(start !== undefined ? { start } : {}) };
    })
    .filter((i) => i.uuid)
    .sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
}

/**
 * Waits, before each call of a report, until the call may go: the daemon lets report calls
 * out only between its poll cycles. Absent: at once (the CLI).
 */
export type CallGate = () => Promise<void>;

/** What the daemon already holds about an instance, read before any call is spent. */
export interface KeptData {
  /** Entries of the QSS `*_qos_summary` events Zoom pushed (the API answer's shape). */
  pushedSummaries?: (instance: Pick<ReportInstance, 'kind' | 'uuid'>) => Raw[] | undefined;
  gate?: CallGate;
  /** Told of every answer a report reads (a page, the details): its calls, when other work shares the budget. */
  onCall?: () => void;
  /** Called before each page is asked for; throws to stop (the reserve held for the whole run). */
  beforePage?: () => void;
  /**
   * With `beforePage`: a page it refuses ends the reading there, and the report is made of what
   * was read, marked as cut by the budget (ReportData.budgetCut), instead of the error.
   */
  partialOnStop?: boolean;
}

async function collect(
  client: ZoomClient,
  ep: (typeof REPORT_KINDS)[SourceKind]['qos'],
  of: { uuid: string; kind: SourceKind },
  query: Record<string, string>,
  o: CallOptions,
): Promise<Raw[]> {
  const { expected, signal, budget } = o;
  const gate = o.kept?.gate;
  const what = LISTING[ep.name] ?? ep.name;
  const out: Raw[] = [];
  if (budget?.skip(what)) return out; // the budget stopped the reading before this listing
  const beforePage = o.kept?.beforePage && (budget ? budget.wrap(o.kept.beforePage) : o.kept.beforePage);
  let pages = 0;
  await gate?.();
  try {
    for await (const page of client.pages<Raw>(ep, { id: of.uuid }, query, {
      ...(signal ? { signal } : {}),
      keyOf: (r) => joinKey(r, of.kind),
      ...(expected !== undefined ? { expectedItems: expected } : {}),
      ...(beforePage ? { beforePage } : {}),
      cut: (why) => o.cuts.push({ what, why }),
      strict: true,
    })) {
      pages++;
      o.kept?.onCall?.();
      out.push(...page.filter(isJsonObject));
      await gate?.(); // the next page is asked for when the loop goes on
    }
  } catch (err) {
    if (!budget?.ended(what, pages, err)) throw err;
    return out;
  }
  budget?.ended(what, pages);
  return out;
}

/** Why the summary was not used, for the report's source line. */
function refusal(err: unknown): string {
  if (!isZoomError(err)) throw err;
  if (!['ZOOM_HTTP_ERROR', 'ZOOM_INSTANCE_ENDED', 'ZOOM_NOT_FOUND'].includes(err.code)) throw err;
  return `HTTP ${err.status ?? '?'}${err.zoomCode !== undefined ? `, code ${err.zoomCode}` : ''}`;
}

/**
 * The report's options for every call: the participant count bounding pages, abort, gate; and
 * the listings read short (`cuts`, told by the client's pages()).
 */
interface CallOptions {
  expected: number | undefined;
  signal?: AbortSignal | undefined;
  kept?: KeptData;
  cuts: { what: string; why: string }[];
  /** With `kept.partialOnStop`: what was read before the budget reserve stopped the reading. */
  budget?: BudgetCutLog | undefined;
}

/** What a listing is called in a report's source line. */
const LISTING: Record<string, string> = Object.fromEntries(
  Object.values(REPORT_KINDS).flatMap((k): [string, string][] => [
    [k.summary.name, 'QoS summary list'],
    [k.qos.name, 'QoS list'],
    ...(k.participants ? [[k.participants.name, 'participants list'] as [string, string]] : []),
  ]),
);

/** The listings read short, as a sentence of the source line ('' when none). */
function cutNote(cuts: readonly { what: string; why: string }[]): string {
  if (!cuts.length) return '';
  const each = cuts.map((c) => `Zoom's ${c.what} was cut short (${c.why})`).join('; ');
  return ` ${each}: participants past the cut are missing here, and the figures shown are not the whole ${cuts.length === 1 ? 'list' : 'lists'}.`;
}

/**
 * The QoS summaries: those Zoom pushed (kept, no call), else Zoom's summary endpoint. A refusal
 * is said in the source line (`auto`) or stops the report (`summary`).
 */
async function fetchSummaries(
  client: ZoomClient,
  instance: ReportInstance,
  choice: SourceChoice,
  stats: NormalizeStats,
  call: CallOptions,
): Promise<{ summaries: QosSummary[]; pushed: boolean; refused?: string }> {
  if (choice === 'samples' || instance.live) return { summaries: [], pushed: false };
  const read = (raws: Raw[]): QosSummary[] =>
    raws
      .map((r) => normalizeSummary(r, instance.kind, stats))
      .filter((s): s is QosSummary => s !== undefined);
  const pushed = call.kept?.pushedSummaries?.(instance);
  const fromPush = pushed?.length ? read(pushed) : [];
  if (fromPush.length) return { summaries: fromPush, pushed: true };
  try {
    const raws = await collect(client, REPORT_KINDS[instance.kind].summary, instance, {}, call);
    return { summaries: read(raws), pushed: Boolean(pushed?.length) };
  } catch (err) {
    const refused = refusal(err);
    if (choice === 'summary')
      throw new Error(`Zoom refused the QoS summary (${refused}): it needs the QoS Subscription add-on`, {
        cause: err,
      });
    return { summaries: [], pushed: Boolean(pushed?.length), refused };
  }
}

interface Listed {
  joins: Map<string, JoinInfo>;
  contexts: Map<string, ParticipantContext>;
  /** Entries skipped for want of a usable join id. */
  skipped: number;
}

/** The participants list: each join's name, e-mail, times and context, and context by every key it matches. */
async function fetchParticipants(
  client: ZoomClient,
  instance: ReportInstance,
  call: CallOptions,
): Promise<Listed> {
  const joins = new Map<string, JoinInfo>();
  const contexts = new Map<string, ParticipantContext>();
  const ep = REPORT_KINDS[instance.kind].participants;
  if (!ep) return { joins, contexts, skipped: 0 };
  const type = instance.live ? 'live' : 'past';
  let skipped = 0;
  for (const p of await collect(client, ep, instance, { type }, call)) {
    // An entry with no usable id (Zoom's are strings) is nobody the report can name: skipped, counted.
    const key = joinKey(p, instance.kind);
    if (!key) {
      skipped++;
      continue;
    }
    const info: JoinInfo = {
      name: visible(str(p.user_name)),
      email: visible(str(p.email)),
      context: contextFromRaw(p),
    };
    const joined = time(p.join_time);
    const left = leaveOf(p).leaveTime;
    if (joined !== undefined) info.joined = joined;
    if (left !== undefined) info.left = left;
    for (const k of contextKeys(p)) if (!contexts.has(k)) contexts.set(k, info.context);
    if (!joins.has(key)) joins.set(key, info);
  }
  return { joins, contexts, skipped };
}

/** The QoS samples with their listed context; a join the list lacks is added from its entry. */
async function fetchSamples(
  client: ZoomClient,
  instance: ReportInstance,
  listed: Listed,
  stats: NormalizeStats,
  call: CallOptions,
): Promise<QosSample[]> {
  const { joins, contexts } = listed;
  const samples: QosSample[] = [];
  const ref = { kind: instance.kind, id: instance.id, uuid: instance.uuid, topic: instance.topic };
  const type = instance.live ? 'live' : 'past';
  for (const raw of await collect(client, REPORT_KINDS[instance.kind].qos, instance, { type }, call)) {
    const context = contextKeys(raw)
      .map((k) => contexts.get(k))
      .find(Boolean);
    const got = normalizeParticipant(ref, raw, context ?? {}, stats);
    samples.push(...got);
    const key = joinKey(raw, instance.kind);
    if (!key) listed.skipped++;
    else if (!joins.has(key)) {
      const joined = time(raw.join_time);
      // As the daemon reads it (poll/joins.ts): Zoom's placeholder (equal to join_time), or one
      // its own samples contradict, is no leave; the report showed a stay of 0 minutes.
      const left = leaveOf(raw).leaveTime;
      joins.set(key, {
        name: visible(str(raw.user_name) || str(raw.name)),
        email: visible(str(raw.email)),
        context: got[0]?.context ?? { ...context, ...contextFromRaw(raw) },
        ...(joined !== undefined ? { joined } : {}),
        ...(left !== undefined ? { left } : {}),
      });
    }
  }
  return samples;
}

/**
 * Reads what a report needs. `auto`: Zoom's QoS summary (QSS accounts) for min/avg/max, and the
 * past QoS samples for p95, minutes in breach, alerts and timelines; when the summary is
 * refused (no QoS Subscription: 403/404 with Zoom's code), the samples alone, said so.
 */
export async function fetchReportData(
  client: ZoomClient,
  instance: ReportInstance,
  choice: SourceChoice,
  signal?: AbortSignal,
  kept: KeptData = {},
): Promise<ReportData> {
  const stats = new NormalizeStats();
  const budget = kept.partialOnStop ? new BudgetCutLog() : undefined;
  const call: CallOptions = { expected: instance.participants, signal, kept, cuts: [], budget };
  const { summaries, pushed, refused } = await fetchSummaries(client, instance, choice, stats, call);
  const listed = await fetchParticipants(client, instance, call);
  const samples =
    choice !== 'summary' || instance.live ? await fetchSamples(client, instance, listed, stats, call) : [];
  const { joins } = listed;
  for (const s of summaries)
    if (!joins.has(s.participant.key))
      joins.set(s.participant.key, { name: s.participant.name, email: s.participant.email, context: {} });
  const source: ReportSource = instance.live
    ? 'live_samples'
    : summaries.length
      ? pushed
        ? 'pushed_summary'
        : 'qos_summary'
      : 'past_samples';
  return {
    instance,
    source,
    sourceNote:
      sourceNote(source, choice, refused) +
      skippedNote(listed.skipped) +
      endNote(instance) +
      cutNote(call.cuts) +
      budgetCutNote(budget?.cut()),
    ...(budget?.cut() ? { budgetCut: budget.cut()! } : {}),
    summaries,
    samples,
    joins,
    stats,
    cutNote: cutNote(call.cuts),
  };
}

/** Zoom's end before its start, said once in the Source line (bad data: not the call's span). */
function endNote(i: ReportInstance): string {
  if (i.endBeforeStart === undefined) return '';
  return ` Zoom's end_time ${iso(i.endBeforeStart)} is before its start_time ${iso(i.start)}: bad data from Zoom, the end is not shown.`;
}

function skippedNote(skipped: number): string {
  if (!skipped) return '';
  return ` ${skipped} ${skipped === 1 ? 'entry' : 'entries'} from Zoom had no usable participant id and ${skipped === 1 ? 'was' : 'were'} skipped.`;
}

function sourceNote(source: ReportSource, choice: SourceChoice, refused: string | undefined): string {
  if (source === 'live_samples')
    return "Live instance: figures from Zoom's live QoS samples (the last minutes Zoom keeps), computed by qoswatch.";
  if (source === 'pushed_summary')
    return choice === 'summary'
      ? 'Figures from the QoS summary Zoom pushed (QSS *_qos_summary webhook events kept in state.dir), at no API cost; no samples read, so no p95, minutes in breach or timeline.'
      : 'min/avg/max from the QoS summary Zoom pushed (QSS *_qos_summary webhook events kept in state.dir, no API call); p95, minutes in breach, alerts and timelines from the past QoS samples (type=past).';
  if (source === 'qos_summary')
    return choice === 'summary'
      ? "Figures from Zoom's QoS summary (qos_summary); no samples read, so no p95, minutes in breach or timeline."
      : "min/avg/max from Zoom's QoS summary (qos_summary); p95, minutes in breach, alerts and timelines from the past QoS samples (type=past).";
  return refused
    ? `Zoom refused the QoS summary (${refused}; it needs the QoS Subscription add-on): figures computed by qoswatch from the past QoS samples (type=past) and the participants list.`
    : 'Figures computed by qoswatch from the past QoS samples (type=past) and the participants list.';
}
