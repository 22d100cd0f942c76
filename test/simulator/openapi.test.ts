import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, DEFAULT_SCENARIO_FILE } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { S2SOAuth, VideoSdkJwt } from '../../src/zoom/auth.js';
import { encodePathId } from '../../src/zoom/endpoints.js';
import { T0 } from '../helpers/sim.js';

const SHARED = new URL('../fixtures/', import.meta.url);
const spec = JSON.parse(
  readFileSync(new URL('zoom-api/dashboards-metrics.openapi.json', SHARED), 'utf8'),
) as {
  paths: Record<
    string,
    { get: { responses: Record<string, { content?: Record<string, { schema: object }> }> } }
  >;
};

const ajv = new Ajv({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);

function responseValidator(path: string): ValidateFunction {
  const schema = spec.paths[path]!.get.responses['200']!.content!['application/json']!.schema;
  return ajv.compile(schema);
}

/** A schema of the Video SDK sample's shape: same keys, same JSON types, nothing else required. */
function shapeOf(value: unknown): object {
  if (Array.isArray(value)) return { type: 'array', items: value.length ? shapeOf(value[0]) : {} };
  if (value === null) return {};
  if (typeof value === 'object') {
    // A QoS entry is the same payload as the dashboard's: checked against the OpenAPI item schema.
    const properties = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === 'user_qos' ? { type: 'array', items: qosEntrySchema() } : shapeOf(v),
      ]),
    );
    return { type: 'object', properties, additionalProperties: false };
  }
  return { type: typeof value === 'number' ? 'number' : typeof value };
}

function qosEntrySchema(): object {
  const list = spec.paths['/metrics/meetings/{meetingId}/participants/qos']!.get.responses['200']!.content![
    'application/json'
  ]!.schema as { properties: { participants: { items: { properties: { user_qos: { items: object } } } } } };
  return list.properties.participants.items.properties.user_qos.items;
}

const clock = new VirtualClock(0);
let sim: ZoomSimulator;
let bearer: string;
let sdkBearer: string;

beforeAll(async () => {
  const scenario = loadScenario(DEFAULT_SCENARIO_FILE, T0);
  clock.advanceTo(T0 + 16 * 60_000); // every default instance is live, most episodes under way
  sim = new ZoomSimulator(scenario, clock);
  const url = await sim.listen();
  bearer = (
    await new S2SOAuth(
      { oauthUrl: `${url}/oauth/token`, accountId: 'a', clientId: 'c', clientSecret: 's' },
      clock,
    ).authorize()
  ).header;
  sdkBearer = (await new VideoSdkJwt('k', 's', clock).authorize()).header;
});
afterAll(async () => sim.close());

async function get(path: string, auth = bearer): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.url}/v2${path}`, { headers: { authorization: auth } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

function expectValid(validate: ValidateFunction, body: unknown, what: string): void {
  const ok = validate(body);
  expect(ok ? [] : validate.errors!.slice(0, 5).map((e) => `${e.instancePath} ${e.message}`), what).toEqual(
    [],
  );
}

describe.each(['meetings', 'webinars'] as const)(
  'simulated %s endpoints validate against the OpenAPI schemas',
  (kind) => {
    it('list, participants, participants QoS and single participant QoS', async () => {
      const list = await get(`/metrics/${kind}?type=live&from=2026-11-19&to=2026-11-20&page_size=300`);
      expectValid(responseValidator(`/metrics/${kind}`), list, 'list');
      const instances = list[kind] as { uuid: string }[];
      expect(instances.length).toBeGreaterThan(0);
      const idParam = kind === 'meetings' ? '{meetingId}' : '{webinarId}';
      let checkedSingle = 0;
      for (const inst of instances) {
        const id = encodePathId(inst.uuid);
        const participants = await get(`/metrics/${kind}/${id}/participants?type=live&page_size=300`);
        expectValid(
          responseValidator(`/metrics/${kind}/${idParam}/participants`),
          participants,
          `participants of ${inst.uuid}`,
        );
        let token = '';
        do {
          const qos = await get(
            `/metrics/${kind}/${id}/participants/qos?type=live&page_size=10${token ? `&next_page_token=${token}` : ''}`,
          );
          expectValid(
            responseValidator(`/metrics/${kind}/${idParam}/participants/qos`),
            qos,
            `qos of ${inst.uuid}`,
          );
          token = qos.next_page_token as string;
        } while (token);
        const first = (participants.participants as { user_id: string }[])[0]!;
        const single = await get(
          `/metrics/${kind}/${id}/participants/${encodeURIComponent(first.user_id)}/qos?type=live`,
        );
        expectValid(
          responseValidator(`/metrics/${kind}/${idParam}/participants/{participantId}/qos`),
          single,
          'single',
        );
        checkedSingle++;
      }
      expect(checkedSingle).toBe(instances.length);
    });
  },
);

describe('simulated Video SDK endpoints', () => {
  it("have the shape of Zoom's Video SDK sample", async () => {
    const sample = JSON.parse(
      readFileSync(new URL('zoom-samples/videosdk-session-users-qos.json', SHARED), 'utf8'),
    ) as Record<string, unknown>;
    const validate = ajv.compile(shapeOf(sample));
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    const sessions = (await get(`/videosdk/sessions?type=live&from=${day}&to=${day}`, sdkBearer))
      .sessions as { id: string }[];
    expect(sessions).toHaveLength(1);
    const qos = await get(
      `/videosdk/sessions/${encodePathId(sessions[0]!.id)}/users/qos?type=live&page_size=10`,
      sdkBearer,
    );
    expectValid(validate, qos, 'session users qos');
    expect((qos.users as unknown[]).length).toBe(2);
  });
});
