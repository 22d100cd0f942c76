import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import { normalizeSummary } from '../../src/normalize/qos-items.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { encodePathId } from '../../src/zoom/endpoints.js';
import { startSim, type SimHarness } from '../helpers/sim.js';
import { WEEKLY } from '../report/scenario.js';

/**
 * `type=past`, QoS summaries, instance details and past instances, as the simulator serves
 * them: validated against Zoom's OpenAPI file where it has the endpoint, and against the shape
 * of Zoom's printed examples (zoom-samples/zoomnet) where it does not (`qos_summary`).
 */
const FIX = new URL('../fixtures/', import.meta.url);
const readJson = (rel: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(rel, FIX), 'utf8')) as Record<string, unknown>;
type Spec = {
  paths: Record<
    string,
    { get: { responses: Record<string, { content?: Record<string, { schema: object }> }> } }
  >;
};
const metricsSpec = readJson('zoom-api/dashboards-metrics.openapi.json') as unknown as Spec;
const wholeSpec = readJson('zoom-api/zoom-meeting-api.openapi.json') as unknown as Spec;
const ajv = new Ajv({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validatorOf = (spec: Spec, path: string): ValidateFunction =>
  ajv.compile(spec.paths[path]!.get.responses['200']!.content!['application/json']!.schema);

/** Same keys and JSON types as Zoom's example, nothing else; nothing required. */
function shapeOf(value: unknown): object {
  if (Array.isArray(value)) return { type: 'array', items: value.length ? shapeOf(value[0]) : {} };
  if (value === null) return {};
  if (typeof value === 'object')
    return {
      type: 'object',
      properties: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)])),
      additionalProperties: false,
    };
  return { type: typeof value === 'number' ? 'number' : typeof value };
}

function expectValid(validate: ValidateFunction, body: unknown, what: string): void {
  const ok = validate(body);
  expect(ok ? [] : validate.errors!.slice(0, 5).map((e) => `${e.instancePath} ${e.message}`), what).toEqual(
    [],
  );
}

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function bearer(url: string): Promise<string> {
  const res = await fetch(`${url}/oauth/token?grant_type=account_credentials&account_id=a`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('c:s').toString('base64')}` },
  });
  return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
}

async function get(path: string, auth: string, status = 200): Promise<Record<string, unknown>> {
  const res = await fetch(`${h!.url}/v2${path}`, { headers: { authorization: auth } });
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
  return body;
}

describe('the simulator after the call (type=past, qos_summary)', () => {
  it('serves ended instances in the spec shapes, the latest for a number, a UUID only double-encoded', async () => {
    h = await startSim(WEEKLY, 95 * 60_000);
    const auth = await bearer(h.url);
    const list = await get('/metrics/meetings?type=past&from=2026-11-20&to=2026-11-20&page_size=300', auth);
    expectValid(validatorOf(metricsSpec, '/metrics/meetings'), list, 'past list');
    expect((list.meetings as { uuid: string }[]).map((m) => m.uuid)).toEqual([
      'first+inst==',
      '/second//inst==',
    ]);

    const instances = await get('/past_meetings/777/instances', auth);
    expectValid(validatorOf(wholeSpec, '/past_meetings/{meetingId}/instances'), instances, 'instances');
    expect(instances.meetings).toEqual([
      { uuid: 'first+inst==', start_time: '2026-11-20T10:00:00Z' },
      { uuid: '/second//inst==', start_time: '2026-11-20T11:00:00Z' },
    ]);

    const latest = await get('/metrics/meetings/777?type=past', auth);
    expectValid(validatorOf(metricsSpec, '/metrics/meetings/{meetingId}'), latest, 'details');
    expect(latest).toMatchObject({
      uuid: '/second//inst==',
      participants: 3,
      end_time: '2026-11-20T11:30:00Z',
    });
    // Encoded once, Zoom's router sees "/second//inst==" mangled: 404, code 3001.
    await get(`/metrics/meetings/${encodeURIComponent('/second//inst==')}?type=past`, auth, 404);
    const uuid = encodePathId('/second//inst==');
    const participants = await get(`/metrics/meetings/${uuid}/participants?type=past&page_size=300`, auth);
    expectValid(
      validatorOf(metricsSpec, '/metrics/meetings/{meetingId}/participants'),
      participants,
      'participants',
    );
    const qos = await get(`/metrics/meetings/${uuid}/participants/qos?type=past&page_size=10`, auth);
    expectValid(validatorOf(metricsSpec, '/metrics/meetings/{meetingId}/participants/qos'), qos, 'past qos');
    const cy = (qos.participants as { user_id: string; user_qos: unknown[] }[]).find(
      (p) => p.user_id === '16781312',
    )!;
    expect(cy.user_qos).toHaveLength(29); // 11:02 .. 11:30, every minute of the stay
    const single = await get(`/metrics/meetings/${uuid}/participants/16781312/qos?type=past`, auth);
    expectValid(
      validatorOf(metricsSpec, '/metrics/meetings/{meetingId}/participants/{participantId}/qos'),
      single,
      'single past',
    );
    // Live, the ended meeting is gone (404, code 3001), as Zoom says.
    expect((await get(`/metrics/meetings/${uuid}/participants/qos?type=live`, auth, 404)).code).toBe(3001);
  });

  it("serves qos_summary in the shape of Zoom's examples, with the figures of the past samples", async () => {
    h = await startSim(WEEKLY, 95 * 60_000);
    const auth = await bearer(h.url);
    const sample = readJson(
      'zoom-samples/zoomnet/endpoints/metrics-meetings-{meetingId}-participants-qos_summary_GET.json',
    );
    const validate = ajv.compile(shapeOf(sample));
    const summary = await get(`/metrics/meetings/777/participants/qos_summary?page_size=10`, auth);
    expectValid(validate, summary, 'summary');
    const cy = (summary.participants as Record<string, unknown>[]).find(
      (p) => p.participant_id === '16781312',
    )!;
    const s = normalizeSummary(cy, 'meeting', new NormalizeStats())!;
    const past = await get(`/metrics/meetings/777/participants/16781312/qos?type=past`, auth);
    const samples = normalizeParticipant(
      { kind: 'meeting', id: '777', uuid: 'u', topic: '' },
      past,
      {},
      new NormalizeStats(),
    );
    const lat = samples.map((x) => x.streams.audio_input!.latency!);
    expect(Math.max(...lat)).toBeGreaterThan(0.4); // the episode
    expect(s.streams.audio_input!.latency!.max).toBeCloseTo(Math.max(...lat), 3);
    expect(s.streams.audio_input!.latency!.min).toBeCloseTo(Math.min(...lat), 3);
    expect(s.streams.audio_input!.latency!.avg).toBeCloseTo(lat.reduce((a, b) => a + b, 0) / lat.length, 3);
  });

  it('refuses qos_summary without a QoS Subscription, and on a live meeting', async () => {
    h = await startSim({ ...WEEKLY, qos_summary: false }, 95 * 60_000);
    const auth = await bearer(h.url);
    expect(await get('/metrics/meetings/777/participants/qos_summary', auth, 403)).toMatchObject({
      code: 200,
    });
    h.sim.scenario.qosSummary = true;
    await get('/metrics/meetings/777/participants/qos_summary', auth, 200);
    await h.close();
    h = await startSim(WEEKLY, 70 * 60_000); // the second instance is live, not past
    const live = await bearer(h.url);
    const before = await get('/metrics/meetings/777/participants/qos_summary?page_size=10', live);
    expect((before.participants as { participant_id: string }[]).map((p) => p.participant_id)).toEqual([
      '16778240',
      '16779264',
    ]); // the first instance, the latest that has ended
    await get(`/metrics/meetings/${encodePathId('/second//inst==')}/participants/qos_summary`, live, 404);
  });
});
