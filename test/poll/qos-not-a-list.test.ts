import { describe, expect, it } from 'vitest';
import type { Received } from '../helpers/http-server.js';
import { counter, runRewritten, type Kind, type Run } from '../helpers/qos-rewrite-run.js';

/**
 * Outside tester, stop 38 (HIGH): a 200 QoS page that is JSON but has no `participants` array
 * (missing, an object, a string, a `[]` body; or only page 2 without it) was read as "nobody is
 * in the meeting": every firing alert resolved as `left` and fired again at the next good poll,
 * under a new id, with the call counted `ok`, nothing logged and the cycle saying `0
 * participants`. Now such a page is counted once as `bad_response`, the poll fails (logged once,
 * an error of the cycle) and the meeting keeps whom it had. Against the simulator through a proxy
 * that rewrites the QoS answers from minute BAD_FROM to BAD_TO.
 */
const BAD_FROM = 4;
const BAD_TO = 8;
const END = 11;

/**
 * The daemon's own loop to END over `people` participants of one `kind` instance, its QoS
 * answers that `bad` picks replaced by `body` between BAD_FROM and BAD_TO.
 */
const run = (
  kind: Kind,
  body: string,
  people = 1,
  bad: (r: Received) => boolean = () => true,
): Promise<Run> =>
  runRewritten(kind, people, END, (_text, m, r) =>
    m >= BAD_FROM && m < BAD_TO && bad(r) ? body : undefined,
  );

const requests = (metrics: string, endpoint: string, outcome: string): number =>
  counter(metrics, 'qoswatch_zoom_requests_total', [`endpoint="${endpoint}"`, `outcome="${outcome}"`]);

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
