import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { answerBounds, answerBytes } from '../../src/zoom/answer-bounds.js';
import type { ZoomClient } from '../../src/zoom/client.js';
import { ENDPOINTS, type Endpoint } from '../../src/zoom/endpoints.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { jsonPast } from '../../src/util/json-count.js';
import { TestServer } from '../helpers/http-server.js';
import { T0, videoSdkClient } from '../helpers/sim.js';

// An answer's memory is bounded by what it holds, not only by its bytes: the tester's hostile
// bodies, well under the 32 MiB read cap, took the daemon to 745 MB (4 MB nested) and 1.77 GB
// (30 MB of `{},`). Each is now refused before JSON.parse, against a real server on 127.0.0.1.

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serving(body: string): Promise<{ server: TestServer; zoom: ZoomClient }> {
  const server = new TestServer((_r, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  servers.push(server);
  await server.listen();
  return { server, zoom: videoSdkClient({ url: server.url, clock: new VirtualClock(T0) }) };
}

async function read(zoom: ZoomClient, ep: Endpoint): Promise<unknown> {
  const out: unknown[] = [];
  for await (const page of zoom.pages(ep, { id: 'm' })) out.push(...page);
  return out;
}

const sample = (file: string): string =>
  readFileSync(fromRoot('test', 'fixtures', 'zoom-samples', 'zoomnet', 'endpoints', file), 'utf8');
const QOS_FILE = 'metrics-meetings-{meetingId}-participants-qos_GET.json';
const PARTICIPANT_FILE = 'metrics-meetings-{meetingId}-participants-{participantId}-qos_GET.json';

/** A QoS page of `n` participants, each with `minutes` per-minute samples, from Zoom's example. */
function qosPage(n: number, minutes: number): string {
  const page = JSON.parse(sample(QOS_FILE)) as {
    participants: Record<string, unknown>[];
    next_page_token: string;
  };
  const entry = page.participants[0]!;
  const one = (entry.user_qos as Record<string, unknown>[])[0]!;
  const samples = Array.from({ length: minutes }, (_, k) => ({
    ...one,
    date_time: new Date(T0 + k * 60_000).toISOString().replace('.000', ''),
  }));
  page.next_page_token = '';
  page.participants = Array.from({ length: n }, (_, i) => ({
    ...entry,
    user_id: `u${i}`,
    user_qos: samples,
  }));
  return JSON.stringify(page);
}

const nested = (levels: number): string => `{"participants":${'['.repeat(levels)}${']'.repeat(levels)}}`;
const repeated = (item: string, n: number): string =>
  `{"participants":[${Array.from({ length: n }, () => item).join(',')}]}`;

describe('an answer past what its endpoint can hold is refused unparsed, counted, not asked again', () => {
  const cases = [
    {
      name: 'nested arrays (the tester\'s "deep")',
      ep: ENDPOINTS.meetingQos,
      body: nested(2000),
      words: 'nests deeper than 32 levels',
    },
    {
      name: 'a QoS page of 400,000 empty objects (the tester\'s "flat")',
      ep: ENDPOINTS.meetingQos,
      body: repeated('{}', 400_000),
      words: 'holds an array of more than 1,440 elements',
    },
    {
      name: 'a QoS page of 400 arrays of 1,000 empty objects',
      ep: ENDPOINTS.meetingQos,
      body: repeated(`[${Array(1000).fill('{}').join(',')}]`, 400),
      words: 'holds more than 345,768 arrays and objects',
    },
    {
      name: 'a participants page of 80 arrays of 1,000 zeros',
      ep: ENDPOINTS.meetingParticipants,
      body: repeated(`[${Array(1000).fill('0').join(',')}]`, 80),
      words: 'holds more than 76,864 keys and values',
    },
    {
      name: 'a QoS page of 2,000 numbers in one array',
      ep: ENDPOINTS.meetingQos,
      body: repeated('1.5', 2_000),
      words: 'holds an array of more than 1,440 elements',
    },
    {
      name: 'an entry of 200 keys',
      ep: ENDPOINTS.meetingQos,
      body: repeated(
        JSON.stringify(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 0]))),
        1,
      ),
      words: 'holds an object of more than 128 keys',
    },
    {
      name: '20 entries of 60 keys, all different',
      ep: ENDPOINTS.meetingQos,
      body: `{"participants":[${Array.from({ length: 20 }, (_, e) => JSON.stringify(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${e}_${i}`, 0])))).join(',')}]}`,
      words: 'holds more than 1024 different key names',
    },
    {
      name: 'a key of 100 characters',
      ep: ENDPOINTS.meetingQos,
      body: repeated(`{"${'k'.repeat(100)}":0}`, 1),
      words: 'holds a key longer than 64 characters',
    },
    {
      // V8 shares a string of 10 characters or fewer; each longer one is a heap string of its own:
      // 4 million of 11 characters, within every other bound and the read cap, cost +316 MiB.
      name: 'a QoS page of 1.35 million different strings of 11 characters (in arrays of 1,440)',
      ep: ENDPOINTS.meetingQos,
      body: ((): string => {
        let k = 0;
        const strings = (): string =>
          `[${Array.from({ length: 1440 }, () => `"s${String(k++).padStart(9, '0')}x"`).join(',')}]`;
        return `{"participants":[${Array.from({ length: 936 }, strings).join(',')}]}`;
      })(),
      words: 'holds more than 14,813,184 bytes of string values longer than 10 characters',
    },
    {
      name: 'a meetings page of 20 arrays of 250 objects',
      ep: ENDPOINTS.meetings,
      body: repeated(`[${Array(250).fill('{"uuid":"x"}').join(',')}]`, 20),
      words: 'holds more than 4,808 arrays and objects',
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const { server, zoom } = await serving(c.body);
      const err = await read(zoom, c.ep).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isZoomError(err, 'ZOOM_BAD_RESPONSE')).toBe(true);
      expect((err as Error).message).toContain(`Zoom's answer (HTTP 200) ${c.words}`);
      expect(zoom.stats.total({ endpoint: c.ep.name, outcome: 'bad_response' })).toBe(1);
      expect(server.received).toHaveLength(1);
    });
});

describe("Zoom's real answers pass", () => {
  it("every example answer, against its endpoint's bounds", () => {
    const files: [string, Endpoint][] = [
      [QOS_FILE, ENDPOINTS.meetingQos],
      ['metrics-webinars-{webinarId}-participants-qos_GET.json', ENDPOINTS.webinarQos],
      ['videosdk-sessions-{sessionId}-users-qos_GET.json', ENDPOINTS.sessionQos],
      ['metrics-meetings-{meetingId}-participants_GET.json', ENDPOINTS.meetingParticipants],
      ['metrics-meetings_GET.json', ENDPOINTS.meetings],
      ['videosdk-sessions_GET.json', ENDPOINTS.sessions],
      [PARTICIPANT_FILE, ENDPOINTS.meetingParticipantQos],
      ['metrics-meetings-{meetingId}-participants-qos_summary_GET.json', ENDPOINTS.meetingQosSummary],
      ['metrics-meetings-{meetingId}_GET.json', ENDPOINTS.meetingDetails],
    ];
    for (const [file, ep] of files) expect(jsonPast(sample(file), answerBounds(ep)), file).toBeUndefined();
  });

  it('a QoS page of 10 participants (page_size max) with a day of samples each: 43.6 MB, within the bounds', () => {
    const page = qosPage(10, 1440);
    expect(page.length).toBeGreaterThan(43_000_000);
    expect(jsonPast(page, answerBounds(ENDPOINTS.meetingQos))).toBeUndefined();
    // An 11th participant's day would be past them.
    expect(jsonPast(qosPage(11, 1440), answerBounds(ENDPOINTS.meetingQos))?.bound).toBe('values');
  });

  // 1,440 (a day) refused one participant's answer of a licensed meeting (30 hours at most: outside
  // tester hT42b, stop 42), read by `inspect`.
  it("one participant's QoS answer of Zoom's longest meeting (30 hours, 1,800 samples) is within the bounds", () => {
    const one = (minutes: number): string => {
      const answer = JSON.parse(sample(PARTICIPANT_FILE)) as { user_qos: Record<string, unknown>[] };
      const first = answer.user_qos[0]!;
      answer.user_qos = Array.from({ length: minutes }, (_, k) => ({
        ...first,
        date_time: new Date(T0 + k * 60_000).toISOString().replace('.000', ''),
      }));
      return JSON.stringify(answer);
    };
    for (const ep of [ENDPOINTS.meetingParticipantQos, ENDPOINTS.webinarParticipantQos])
      expect(jsonPast(one(1800), answerBounds(ep)), ep.name).toBeUndefined();
    expect(jsonPast(one(1801), answerBounds(ENDPOINTS.meetingParticipantQos))?.bound).toBe('elements');
  });

  it("a QoS page of 10 participants with a day of samples, every string at its longest, is within the bounds (its strings' too)", () => {
    const page = JSON.parse(qosPage(10, 1440)) as { participants: Record<string, unknown>[] };
    const longest = (v: unknown): unknown => (typeof v === 'string' ? 'x'.repeat(128) : v);
    for (const entry of page.participants) {
      const samples = entry.user_qos as Record<string, unknown>[];
      // Every string of the entry 128 characters long (Zoom documents 35 to 64 for its ids, keys
      // and names, less than 128 for an e-mail): its 33 strings, 4,224 bytes.
      for (const key of Object.keys(entry)) entry[key] = longest(entry[key]);
      entry.user_qos = samples.map((one, k) => ({
        ...Object.fromEntries(
          Object.entries(one).map(([key, stream]) => [
            key,
            stream && typeof stream === 'object' && 'bitrate' in stream
              ? { ...stream, bitrate: '12345.67 kbps' }
              : stream,
          ]),
        ),
        // As ZoomNet's example writes it: 33 characters (Zoom's own are 20).
        date_time: new Date(T0 + k * 60_000).toISOString().replace('.000Z', '.0000000+00:00'),
      }));
    }
    const text = JSON.stringify(page);
    expect(text.length).toBeLessThan(answerBytes(ENDPOINTS.meetingQos));
    expect(jsonPast(text, answerBounds(ENDPOINTS.meetingQos))).toBeUndefined();
  });

  it('a QoS page of 10 participants with 17 hours of samples each (30 MB, under the read cap) is read whole', async () => {
    const { zoom } = await serving(qosPage(10, 1000));
    const entries = (await read(zoom, ENDPOINTS.meetingQos)) as { user_qos: unknown[] }[];
    expect(entries).toHaveLength(10);
    expect(entries[9]!.user_qos).toHaveLength(1000);
    expect(zoom.stats.total({ outcome: 'ok' })).toBe(1);
  });
});
