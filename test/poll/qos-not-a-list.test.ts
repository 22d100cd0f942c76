import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { daemonFor, holdClockInCycles } from '../helpers/daemon.js';
import type { Received } from '../helpers/http-server.js';
import { captureLog, type LogLine } from '../helpers/log.js';
import { simProxy } from '../helpers/proxy.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Outside tester, stop 38 (HIGH): a 200 QoS page that is JSON but has no `participants` array
 * (missing, an object, a string, a `[]` body; or only page 2 without it) was read as "nobody is
 * in the meeting": every firing alert resolved as `left` and fired again at the next good poll,
 * under a new id, with the call counted `ok`, nothing logged and the cycle saying `0
 * participants`. Now such a page is counted once as `bad_response`, the poll fails (logged once,
 * an error of the cycle) and the meeting keeps whom it had. Against the simulator through a proxy
 * that rewrites the QoS answers from minute BAD_FROM to BAD_TO.
 */
const MIN = 60_000;
const BAD_FROM = 4;
const BAD_TO = 8;
const END = 11;

const KINDS = {
  meetings: {
    qos: /\/metrics\/meetings\/[^/]+\/participants\/qos\?/,
    key: 'participants',
    uuid: 'qos/meeting==',
  },
  webinars: {
    qos: /\/metrics\/webinars\/[^/]+\/participants\/qos\?/,
    key: 'participants',
    uuid: 'qos/webinar==',
  },
  sessions: { qos: /\/videosdk\/sessions\/[^/]+\/users\/qos\?/, key: 'users', uuid: 'qos-session' },
} as const;
type Kind = keyof typeof KINDS;

/** What a run showed: its alert changes, log lines and /metrics text, and how many answers were rewritten. */
interface Run {
  changes: AlertChange[];
  lines: LogLine[];
  metrics: string;
  rewritten: number;
}

/** The simulator with one `kind` instance of `people` participants, each with high latency throughout (an alert each). */
function startLive(kind: Kind, people: number): Promise<SimHarness> {
  const keys = Array.from({ length: people }, (_, i) => `p${i}`);
  const id = KINDS[kind].uuid;
  const participants = keys.map((key, i) => ({ key, id: `u-${key}`, user_id: `${400 + i}`, name: key }));
  const instance = {
    id: kind === 'sessions' ? id : 85000000038,
    uuid: id,
    topic: 'Live',
    start: '0m',
    end: '2h',
  };
  const episodes = keys.map((participant) => ({
    where: { participant },
    from: '0m',
    to: '2h',
    any: { latency: '450ms' },
  }));
  return startSim(
    { seed: `qos-not-a-list-${kind}`, qos_window: '10m', [kind]: [{ ...instance, participants }], episodes },
    0,
  );
}

/**
 * The daemon's own loop to END over startLive(kind, people), its QoS answers that `bad` picks
 * replaced by `body` between BAD_FROM and BAD_TO.
 */
async function run(
  kind: Kind,
  body: string,
  people = 1,
  bad: (r: Received) => boolean = () => true,
): Promise<Run> {
  const h = await startLive(kind, people);
  let rewritten = 0;
  const proxy = await simProxy(h.url, {
    rewrite: (text, r) => {
      const m = (h.clock.now() - T0) / MIN;
      if (!KINDS[kind].qos.test(r.path) || m < BAD_FROM || m >= BAD_TO || !bad(r)) return text;
      rewritten++;
      return body;
    },
  });
  try {
    const { log, lines } = captureLog('info');
    const only = Object.fromEntries(Object.keys(KINDS).map((k) => [k, k === kind]));
    const config = daemonFor({ ...h, url: proxy.url }).daemon.parts.config;
    Object.assign(config.sources, only);
    config.videosdk!.apiUrl = proxy.url;
    const daemon = holdClockInCycles(new Daemon(config, { clock: h.clock, log, sinks: [] }), h);
    const changes: AlertChange[] = [];
    daemon.onAlerts((c) => changes.push(...c));
    const stop = new AbortController();
    // Each cycle logged as `qoswatch run` logs it (its line says the cycle's errors).
    await daemon.run(stop.signal, (cycle) => {
      daemon.logCycle(cycle);
      if (h.clock.now() >= T0 + END * MIN) stop.abort();
    });
    return { changes, lines, metrics: await daemon.parts.metrics.text(), rewritten };
  } finally {
    await proxy.close();
    await h.close();
  }
}

const requests = (metrics: string, endpoint: string, outcome: string): number =>
  Number(
    new RegExp(
      `^qoswatch_zoom_requests_total\\{[^}]*endpoint="${endpoint}"[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`,
      'm',
    ).exec(metrics)?.[1] ?? '0',
  );

const ENDPOINT = { meetings: 'meeting_qos', webinars: 'webinar_qos', sessions: 'session_qos' } as const;

/** What a run must show: alerts fire once and stay, each bad page counted once as bad_response and logged once. */
function expectKept(r: Run, kind: Kind, people: number): void {
  expect(r.rewritten).toBeGreaterThanOrEqual(3);
  expect(r.changes.filter((c) => c.state === 'resolved')).toEqual([]);
  expect(r.changes.filter((c) => c.state === 'firing')).toHaveLength(people);
  expect(requests(r.metrics, ENDPOINT[kind], 'bad_response')).toBe(r.rewritten);
  expect(r.lines.filter((l) => l.code === 'ZOOM_BAD_RESPONSE')).toHaveLength(1);
  const cycles = r.lines.filter((l) => l.msg.startsWith('cycle: '));
  expect(cycles.filter((l) => (l.errors as number) > 0)).toHaveLength(r.rewritten);
}

const page = (rest: Record<string, unknown>): string =>
  JSON.stringify({ page_size: 10, total_records: 1, next_page_token: '', ...rest });

const NOT_A_LIST: { kind: Kind; body: string; what: string }[] = [
  { kind: 'meetings', body: page({}), what: 'no participants' },
  {
    kind: 'meetings',
    body: page({ participants: { user_id: '400' } }),
    what: 'participants an object',
  },
  { kind: 'meetings', body: page({ participants: 'none' }), what: 'participants a string' },
  { kind: 'meetings', body: '[]', what: 'a [] body' },
  { kind: 'webinars', body: page({ participants: null }), what: 'participants null' },
  { kind: 'sessions', body: page({ participants: [] }), what: 'participants, not users' },
];

describe.each(NOT_A_LIST)('a 200 $kind QoS page that is not the listing ($what)', ({ kind, body }) => {
  it('makes nobody leave: the alert fires once and stays; counted as bad_response, logged once', async () => {
    expectKept(await run(kind, body), kind, 1);
  }, 60_000);
});

describe('a 200 meeting QoS answer whose second page is not the listing', () => {
  it('makes nobody of page 2 leave: no alert resolves; the page counted as bad_response, logged once', async () => {
    const r = await run('meetings', page({ total_records: 12 }), 12, (q) =>
      q.path.includes('next_page_token='),
    );
    expectKept(r, 'meetings', 12);
  }, 60_000);
});
