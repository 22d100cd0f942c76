import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { daemonFor, holdClockInCycles } from '../helpers/daemon.js';
import type { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { simProxy } from '../helpers/proxy.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Outside tester, stop 37 (HIGH): a 200 answer to the live list without its array (`{}`,
 * `"meetings": null`) was read as "nothing is live": every live meeting ended, its alerts
 * resolved (reason ended) and fired again once the list was whole, nothing was counted as a bad
 * response and nothing logged. Now such an answer is counted (`bad_response`), logged once, and
 * the cycle keeps the last list. A list that says it is empty (`"meetings": []`, or no array
 * with `total_records: 0`: Zoom's spec does not require the array) still ends them. Against
 * the simulator through a proxy that rewrites the list's answer from minute BAD_FROM to BAD_TO.
 */
const MIN = 60_000;
const BAD_FROM = 4;
const BAD_TO = 8;
const END = 11;

const KINDS = {
  meetings: { path: /\/metrics\/meetings\?/, key: 'meetings', uuid: 'list/meeting==', id: 'uuid' },
  webinars: { path: /\/metrics\/webinars\?/, key: 'webinars', uuid: 'list/webinar==', id: 'uuid' },
  sessions: { path: /\/videosdk\/sessions\?/, key: 'sessions', uuid: 'list-session', id: 'id' },
} as const;
type Kind = keyof typeof KINDS;

let h: SimHarness;
let proxy: TestServer;
afterEach(async () => {
  await proxy.close();
  await h.close();
});

interface Run {
  events: PipelineEvent[];
  changes: AlertChange[];
  lines: { msg: string }[];
  metrics: string;
  errors: number[];
  rewritten: number;
}

type Json = Record<string, unknown>;

/**
 * The daemon's own loop to END, the `kind` list's answer rewritten by `rewrite` between BAD_FROM
 * and BAD_TO. With `later`, a second instance ("Later", its participant without an alert) starts
 * at minute BAD_FROM + 1.
 */
async function run(kind: Kind, rewrite: (answer: Json) => Json, later = false): Promise<Run> {
  const k = KINDS[kind];
  const uuid = (n: number): string => (n ? k.uuid.replace('list', 'later') : k.uuid);
  const instance = (n: number, topic: string, start: string) => ({
    id: kind === 'sessions' ? uuid(n) : 85000000037 + n,
    uuid: uuid(n),
    topic,
    start,
    end: '2h',
  });
  const participants = [{ key: 'ann', id: 'u-ann', user_id: '300', name: 'Ann' }];
  const bob = [{ key: 'bob', id: 'u-bob', user_id: '301', name: 'Bob' }];
  h = await startSim(
    {
      seed: `not-a-list-${kind}`,
      qos_window: '10m',
      [kind]: [
        { ...instance(0, 'Live', '0m'), participants },
        ...(later ? [{ ...instance(1, 'Later', `${BAD_FROM + 1}m`), participants: bob }] : []),
      ],
      episodes: [{ where: { participant: 'ann' }, from: '0m', to: '2h', any: { latency: '450ms' } }],
    },
    0,
  );
  let rewritten = 0;
  proxy = await simProxy(h.url, {
    rewrite: (text, r) => {
      const m = (h.clock.now() - T0) / MIN;
      if (!k.path.test(r.path) || m < BAD_FROM || m >= BAD_TO) return text;
      rewritten++;
      return JSON.stringify(rewrite(JSON.parse(text) as Json));
    },
  });
  const { log, lines } = captureLog('info');
  const { daemon: template } = daemonFor({ ...h, url: proxy.url }, (c) => {
    c.sources = {
      meetings: kind === 'meetings',
      webinars: kind === 'webinars',
      sessions: kind === 'sessions',
    };
    c.videosdk!.apiUrl = proxy.url;
  });
  const events: PipelineEvent[] = [];
  const daemon = holdClockInCycles(
    new Daemon(template.parts.config, { clock: h.clock, log, sinks: [{ handle: (e) => events.push(e) }] }),
    h,
  );
  const changes: AlertChange[] = [];
  daemon.onAlerts((c) => changes.push(...c));
  const errors: number[] = [];
  const stop = new AbortController();
  await daemon.run(stop.signal, (r) => {
    errors.push(r.errors);
    if (h.clock.now() >= T0 + END * MIN) stop.abort();
  });
  return { events, changes, lines, metrics: await daemon.parts.metrics.text(), errors, rewritten };
}

const badResponses = (metrics: string, endpoint: string): number =>
  Number(
    new RegExp(
      `^qoswatch_zoom_requests_total\\{[^}]*endpoint="${endpoint}"[^}]*outcome="bad_response"[^}]*\\} (\\d+)$`,
      'm',
    ).exec(metrics)?.[1] ?? 'NaN',
  );

describe.each([
  { kind: 'meetings' as Kind, body: {}, what: '{}' },
  { kind: 'meetings' as Kind, body: { meetings: null, total_records: 1 }, what: '"meetings": null' },
  { kind: 'meetings' as Kind, body: { meetings: { uuid: 'x' } }, what: '"meetings" an object' },
  { kind: 'sessions' as Kind, body: { sessions: null }, what: '"sessions": null' },
])('a 200 live $kind list that is not a list ($what)', ({ kind, body }) => {
  it('ends nothing: the alert fires once and stays; counted as bad_response, logged once, in the cycle errors', async () => {
    const r = await run(kind, () => ({ page_size: 30, next_page_token: '', ...body }));
    expect(r.rewritten).toBeGreaterThanOrEqual(3);
    expect(r.events.filter((e) => e.type === 'ended')).toEqual([]);
    expect(r.changes.map((c) => c.state)).toEqual(['pending', 'firing']);
    expect(badResponses(r.metrics, kind)).toBe(r.rewritten);
    const warned = r.lines.filter(
      (l) => l.msg === `could not list live ${kind.slice(0, -1)}s; keeping the last list`,
    );
    expect(warned).toHaveLength(1);
    expect(r.errors.filter((e) => e > 0)).toHaveLength(r.rewritten);
  }, 60_000);
});

/**
 * A live list page of 2 MB (Zoom's real ones are under 1 MB): past the list endpoints' cap
 * (1.5 MiB, answer-bounds.ts answerBytes), refused unparsed as any unusable list is. The old code
 * read any answer to 32 MiB: this one was taken, its entry read.
 */
describe('a 200 live meetings list of 2 MB', () => {
  it('is refused: ends nothing, the alert fires once and stays; counted as bad_response, logged once', async () => {
    const r = await run('meetings', (answer) => ({ ...answer, filler: 'x'.repeat(2_000_000) }));
    expect(r.rewritten).toBeGreaterThanOrEqual(3);
    expect(r.events.filter((e) => e.type === 'ended')).toEqual([]);
    expect(r.changes.map((c) => c.state)).toEqual(['pending', 'firing']);
    expect(badResponses(r.metrics, 'meetings')).toBe(r.rewritten);
    const warned = r.lines.filter((l) => l.msg === 'could not list live meetings; keeping the last list');
    expect(warned).toHaveLength(1);
    expect(JSON.stringify(warned[0])).toContain(
      "Zoom's answer is larger than 1.5 MiB, the most qoswatch reads of a meetings answer",
    );
    expect(r.errors.filter((e) => e > 0)).toHaveLength(r.rewritten);
  }, 60_000);
});

describe.each([
  { body: { meetings: [], total_records: 0 }, what: '"meetings": [], total_records 0' },
  { body: { total_records: 0 }, what: 'no array, total_records 0' },
])('a 200 live meetings list that says it is empty ($what)', ({ body }) => {
  it('ends the meeting: its alert resolves as ended; nothing counted as bad', async () => {
    const r = await run('meetings', () => ({ page_size: 30, next_page_token: '', ...body }));
    const ended = r.events.filter((e) => e.type === 'ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.at).toBeGreaterThanOrEqual(T0 + BAD_FROM * MIN);
    const resolved = r.changes.filter((c) => c.state === 'resolved');
    expect(resolved[0]!.alert.reason).toBe('ended');
    expect(badResponses(r.metrics, 'meetings')).toBe(0);
  }, 60_000);
});

/** The entry without its `key`. */
const without =
  (key: string) =>
  (entry: Json): Json =>
    Object.fromEntries(Object.entries(entry).filter(([k]) => k !== key));

/** The list's answer with the entry of "Live" changed by `change` (the others as Zoom gave them). */
const liveEntry =
  (kind: Kind, change: (entry: Json) => unknown) =>
  (answer: Json): Json => {
    const entries = answer[KINDS[kind].key] as Json[];
    const at = entries.findIndex((e) => e[KINDS[kind].id] === KINDS[kind].uuid);
    if (at >= 0) entries[at] = change({ ...entries[at] }) as Json;
    return answer;
  };

/**
 * Outside tester, stop 37 (HIGH): an entry of the live list without a usable uuid (or not an
 * object) was skipped, so the instance it stands for was not "seen" and discovery ended it: its
 * alert resolved as ended and fired again at the next good list, with the cycle's errors 0.
 */
describe.each([
  { kind: 'meetings' as Kind, what: 'no uuid', change: without('uuid') },
  { kind: 'meetings' as Kind, what: 'uuid null', change: (e: Json) => ({ ...e, uuid: null }) },
  { kind: 'meetings' as Kind, what: 'uuid a number', change: (e: Json) => ({ ...e, uuid: 5 }) },
  { kind: 'meetings' as Kind, what: 'not an object', change: () => 'Live' },
  { kind: 'webinars' as Kind, what: 'no uuid', change: without('uuid') },
  { kind: 'sessions' as Kind, what: 'no id', change: without('id') },
])('a live $kind list whose entry cannot be used ($what)', ({ kind, change }) => {
  it('ends nothing, still discovers the good entries; counted as bad_response, logged once, in the cycle errors', async () => {
    const r = await run(kind, liveEntry(kind, change), true);
    expect(r.rewritten).toBeGreaterThanOrEqual(3);
    expect(r.events.filter((e) => e.type === 'ended')).toEqual([]);
    expect(r.changes.map((c) => c.state)).toEqual(['pending', 'firing']);
    // "Later", first listed in the bad answers, is discovered and polled before they stop.
    const later = r.events.flatMap((e) =>
      e.type === 'polled' && e.instance.topic === 'Later' ? [e.at] : [],
    );
    expect(later[0]).toBeLessThan(T0 + BAD_TO * MIN);
    expect(badResponses(r.metrics, kind)).toBe(r.rewritten);
    const warned = r.lines.filter(
      (l) =>
        l.msg ===
        `Zoom's live ${kind} list has entries that cannot be used; those it does not show are kept as they were`,
    );
    expect(warned).toHaveLength(1);
    expect(r.errors.filter((e) => e > 0)).toHaveLength(r.rewritten);
  }, 60_000);
});
