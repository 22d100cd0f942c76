import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import type { Alert } from '../../src/evaluate/alert.js';
import { listFieldsFor } from '../../src/evaluate/field-needs.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { CONTEXT_BY_RULE, type FieldDef } from '../../src/normalize/catalog.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { fromRoot } from '../../src/util/package-root.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { json, TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';
import { s2sClient, startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * The participants list (`/metrics/meetings/{id}/participants`) is read for fields only it
 * gives (role, audio_quality, ...) when, and only when, a rule uses one; with the newer QoS
 * shape nothing else needs it. Counted over HTTP against the simulator.
 */

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MIN = 60_000;
const field = (name: string): FieldDef => CONTEXT_BY_RULE.get(name)!;

/** A host and an attendee with lossy audio from the start, and a latecomer at minute 10 (newer shape). */
const roles: RawScenario = {
  shape: 'newer',
  meetings: [
    {
      id: 85000000001,
      uuid: 'mtg-uuid-1==',
      topic: 'Roles',
      end: '90m',
      participants: [
        { key: 'hana', user_id: '200', id: 'u-hana', name: 'Hana Host', role: 'host', device: 'Mac' },
        { key: 'ann', user_id: '201', id: 'u-ann', name: 'Ann Attendee', device: 'Windows' },
        { key: 'leo', user_id: '202', id: 'u-leo', name: 'Leo Late', device: 'iOS', join: '10m' },
      ],
    },
  ],
  episodes: [
    { name: 'host loss', where: { participant: 'hana' }, from: '0m', to: '90m', audio: { avg_loss: '9%' } },
    {
      name: 'attendee loss',
      where: { participant: 'ann' },
      from: '0m',
      to: '90m',
      audio: { avg_loss: '9%' },
    },
  ],
};

/** Polls the meeting every minute from minute 5 to `toMin` with these list fields wanted; counts calls. */
async function pollEveryMinute(
  fields: readonly FieldDef[],
  toMin: number,
): Promise<{ listCalls: number; qosCalls: number; last: QosSample[]; listAt: number[] }> {
  h = await startSim(roles, 5 * MIN);
  const client = s2sClient(h);
  const source = new DashboardSource(
    'meeting',
    client,
    h.clock,
    new NormalizeStats(),
    silentLogger(),
    30 * MIN,
    {
      fields: () => fields,
      verdictRefreshMs: 5 * MIN,
    },
  );
  const listAt: number[] = [];
  let last: QosSample[] = [];
  for (let m = 5; m <= toMin; m++) {
    if (m > 5) h.clock.advance(MIN);
    const {
      live: [live],
    } = await source.discover();
    const before = client.stats.total({ endpoint: 'meeting_participants' });
    last = (await source.poll(live!)).samples;
    if (client.stats.total({ endpoint: 'meeting_participants' }) > before) listAt.push(m);
  }
  return {
    listCalls: client.stats.total({ endpoint: 'meeting_participants' }),
    qosCalls: client.stats.total({ endpoint: 'meeting_qos' }),
    last,
    listAt,
  };
}

const byName = (samples: QosSample[]): Map<string, QosSample> =>
  new Map(samples.map((s) => [s.participant.name, s]));

describe('the participants list, read only for the list-only fields wanted', () => {
  it('is not called when no list-only field is wanted (newer shape: context is in the QoS entries)', async () => {
    const r = await pollEveryMinute([], 40);
    expect(r.listCalls).toBe(0);
    expect(r.qosCalls).toBe(36);
    const hana = byName(r.last).get('Hana Host')!;
    expect(hana.context.dataCenter).toBeTruthy(); // from the entry
    expect(hana.context.role).toBeUndefined();
  });

  it('role: read when a join first appears and every context_refresh (30m)', async () => {
    const r = await pollEveryMinute([field('role')], 40);
    // Minute 5 (first poll), minute 10 (Leo joins), minute 40 (30 min after the last read).
    expect(r.listAt).toEqual([5, 10, 40]);
    expect(r.qosCalls).toBe(36);
    const s = byName(r.last);
    expect(s.get('Hana Host')!.context.role).toBe('host');
    expect(s.get('Ann Attendee')!.context.role).toBe('attendee');
    expect(s.get('Leo Late')!.context.role).toBe('attendee');
  });

  it('audio_quality: re-read every verdict_refresh (5m), and it follows the call', async () => {
    const r = await pollEveryMinute([field('audio_quality')], 40);
    expect(r.listAt).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    const s = byName(r.last);
    expect(s.get('Ann Attendee')!.context.audioQuality).toBe('poor');
    expect(s.get('Leo Late')!.context.audioQuality).toBe('good');
  });
});

/** The docs' example rules: one on role, one on Zoom's audio_quality (docs/rules.md includes it). */
const DOC_RULES = fromRoot('docs', 'examples', 'host-audio.rules.yaml');

/** The daemon with these rules (or the shipped ones) against the roles scenario until minute 20. */
async function daemonRun(rules?: string): Promise<{ fired: Alert[]; listCalls: number; qosCalls: number }> {
  h = await startSim(roles, 5 * MIN);
  const sim = h;
  const { daemon } = daemonFor(sim, (c) => {
    c.sources.sessions = false;
    if (rules) c.rules.paths = [rules];
  });
  const fired: Alert[] = [];
  daemon.onAlerts((changes) => {
    for (const c of changes) if (c.alert.state === 'firing') fired.push(c.alert);
  });
  await runUntil(daemon, sim, T0 + 20 * MIN);
  await daemon.close();
  const stats = daemon.parts.clients.zoom!.stats;
  return {
    fired,
    listCalls: stats.total({ endpoint: 'meeting_participants' }),
    qosCalls: stats.total({ endpoint: 'meeting_qos' }),
  };
}

describe('a rule on a list-only field, through the daemon (simulator, newer shape)', () => {
  it('the shipped rules make no participants call', async () => {
    const r = await daemonRun();
    expect(r.qosCalls).toBeGreaterThan(10);
    expect(r.listCalls).toBe(0);
  });

  it('docs/examples/host-audio.rules.yaml: the role rule fires for the host only, the audio_quality one for both lossy participants', async () => {
    const r = await daemonRun(DOC_RULES);
    const fired = (rule: string): string[] =>
      r.fired
        .filter((a) => a.labels.alertname === rule)
        .map((a) => a.labels.participant!)
        .sort();
    expect(fired('host-audio-loss')).toEqual(['200']);
    expect(fired('zoom-rates-audio-poor')).toEqual(['200', '201']);
    const host = r.fired.find((a) => a.labels.alertname === 'host-audio-loss')!;
    expect(host.annotations.summary).toMatch(/^Hana Host \(host\) loses [\d.]+% of audio in "Roles"$/);
    // Minutes 5 to 20: read at 5, 10 (Leo joins), 15, 20 (audio_quality every 5m).
    expect(r.listCalls).toBeGreaterThan(0);
    expect(r.listCalls).toBeLessThanOrEqual(4);
  });
});

/** Zoom's example answers, read as they are (test/fixtures/zoom-samples). */
const example = (...path: string[]): Record<string, unknown> =>
  JSON.parse(readFileSync(fromRoot('test', 'fixtures', 'zoom-samples', ...path), 'utf8')) as Record<
    string,
    unknown
  >;
const zoomnet = (file: string): Record<string, unknown> => example('zoomnet', 'endpoints', file);

/**
 * A Zoom look-alike that answers with Zoom's own examples: `newer`, the zoomnet QoS list (context
 * in the entries) and participants list; `older`, the seed pages' QoS entry (user_id only, no
 * context) in a QoS list page and the seed participants list. Counts the calls per route.
 */
async function zoomExamples(
  shape: 'newer' | 'older',
  alter: (list: Record<string, unknown>) => Record<string, unknown> = (l) => l,
  alterQos: (qos: Record<string, unknown>) => Record<string, unknown> = (q) => q,
): Promise<{ server: TestServer; calls: Map<string, number> }> {
  const meetings = zoomnet('metrics-meetings_GET.json');
  const qos = alterQos(
    shape === 'newer'
      ? zoomnet('metrics-meetings-{meetingId}-participants-qos_GET.json')
      : { page_size: 10, next_page_token: '', participants: [example('meeting-participant-qos.json')] },
  );
  const list = alter(
    shape === 'newer'
      ? zoomnet('metrics-meetings-{meetingId}-participants_GET.json')
      : example('meeting-participants.json'),
  );
  const calls = new Map<string, number>();
  const server = new TestServer((r, res) => {
    const path = r.path.split('?')[0]!;
    const route =
      path === '/oauth/token'
        ? 'token'
        : path.endsWith('/participants/qos')
          ? 'qos'
          : path.endsWith('/participants')
            ? 'participants'
            : path === '/v2/metrics/meetings'
              ? 'meetings'
              : 'other';
    calls.set(route, (calls.get(route) ?? 0) + 1);
    if (route === 'token')
      return json(res, 200, { access_token: 'tok', token_type: 'bearer', expires_in: 3600 });
    const body = { meetings, qos, participants: list }[route as 'meetings' | 'qos' | 'participants'];
    if (!body) return json(res, 404, { code: 3001, message: 'not here' });
    json(res, 200, body);
  });
  await server.listen();
  return { server, calls };
}

describe("a rule on a list-only field, against Zoom's own example answers over HTTP", () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  async function pollExamples(
    shape: 'newer' | 'older',
    fields: readonly FieldDef[],
    alter?: (list: Record<string, unknown>) => Record<string, unknown>,
    log = silentLogger(),
    alterQos?: (qos: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<{ samples: QosSample[]; calls: Map<string, number>; present: string[]; left: string[] }> {
    const { server, calls } = await zoomExamples(shape, alter, alterQos);
    servers.push(server);
    const clock = new VirtualClock(Date.parse('2022-03-01T10:20:00Z'));
    const client = s2sClient({ url: server.url, clock });
    const source = new DashboardSource('meeting', client, clock, new NormalizeStats(), log, 30 * MIN, {
      fields: () => fields,
      verdictRefreshMs: 5 * MIN,
    });
    const {
      live: [live],
    } = await source.discover();
    const { samples, present, left } = await source.poll(live!);
    return { samples, calls, present, left };
  }

  const rules = loadRules([DOC_RULES]);
  /** A participants list with no entry, read to its end (the example's token would come back: a page loop). */
  const emptyList = (l: Record<string, unknown>): Record<string, unknown> => ({
    ...l,
    participants: [],
    next_page_token: '',
  });
  const [byRole, byQuality] = rules;

  it('newer shape, no such rule: the participants list is not called', async () => {
    const { samples, calls } = await pollExamples('newer', listFieldsFor([], 'meeting'));
    expect(samples.length).toBeGreaterThan(0);
    expect(calls.get('participants') ?? 0).toBe(0);
    expect(samples.some((s) => byRole!.matches(s))).toBe(false);
  });

  it('newer shape, a rule on role and one on audio_quality: the list is read, joined on participant_uuid, the filters see it', async () => {
    const fields = listFieldsFor(rules, 'meeting');
    expect(fields.map((f) => f.rule).sort()).toEqual(['audio_quality', 'role']);
    const { samples, calls } = await pollExamples('newer', fields);
    expect(calls.get('participants')).toBeGreaterThan(0);
    const s = samples[0]!;
    // The QoS entry's user_id (20161536) is not the list's (20162560): participant_uuid links them.
    expect(s.participant.join).toBe('20161536');
    expect(s.context).toMatchObject({
      role: 'host',
      audioQuality: 'good',
      dataCenter: 'United States (SC Top)',
    });
    expect(byRole!.matches(s)).toBe(true);
    // Zoom rates this example's audio good: the poor-audio rule reads it and does not match.
    expect(byQuality!.matches(s)).toBe(false);
    expect(byQuality!.matches({ ...s, context: { ...s.context, audioQuality: 'poor' } })).toBe(true);
  });

  it("Zoom's placeholder leave_time (equal to join_time, in every example QoS answer) is no leave: the join is present (stop 42, MEDIUM)", async () => {
    const qos = zoomnet('metrics-meetings-{meetingId}-participants-qos_GET.json');
    const [entry] = qos.participants as Record<string, unknown>[];
    expect(entry!.leave_time).toBe(entry!.join_time);
    const { samples, present, left } = await pollExamples('newer', listFieldsFor([], 'meeting'));
    expect(samples.map((s) => s.participant.join)).toEqual(['20161536']);
    // The old code: present [], left ['20161536'] (its alerts resolved as left at once).
    expect({ present, left }).toEqual({ present: ['20161536'], left: [] });
  });

  it('a list that gives one join twice: the first entry is used, and it is logged once', async () => {
    const { log, lines } = captureLog();
    const twice = (l: Record<string, unknown>): Record<string, unknown> => {
      const [first] = l.participants as Record<string, unknown>[];
      return { ...l, participants: [first, { ...first, role: 'attendee' }] };
    };
    const { samples } = await pollExamples('newer', listFieldsFor(rules, 'meeting'), twice, log);
    expect(samples[0]!.context).toMatchObject({ role: 'host' });
    expect(lines.filter((l) => l.msg.includes('gives two entries for'))).toHaveLength(1);
  });

  it('a list without the QoS join: its fields stay unknown, and it is logged, not silent', async () => {
    const { log, lines } = captureLog();
    const { samples, calls } = await pollExamples('newer', listFieldsFor(rules, 'meeting'), emptyList, log);
    expect(calls.get('participants')).toBeGreaterThan(0);
    expect(samples[0]!.context.role).toBeUndefined();
    expect(byRole!.matches(samples[0]!)).toBe(false);
    expect(lines.filter((l) => l.msg.includes('the participants list has no entry for 1 join'))).toHaveLength(
      1,
    );
  });

  it('a list without 12 joins of the QoS answer names the first 5 and "and 7 more" (review stop 40, LOW)', async () => {
    const { log, lines } = captureLog();
    // The example QoS entry 12 times, each its own join.
    const twelve = (q: Record<string, unknown>): Record<string, unknown> => {
      const [first] = q.participants as Record<string, unknown>[];
      return {
        ...q,
        participants: Array.from({ length: 12 }, (_, i) => ({
          ...first,
          user_id: `j${i}`,
          participant_uuid: `u${i}`,
        })),
      };
    };
    await pollExamples('newer', listFieldsFor(rules, 'meeting'), emptyList, log, twelve);
    const said = lines.filter((l) => l.msg.startsWith('the participants list has no entry for 12 joins'));
    expect(said).toHaveLength(1);
    // Old code: all 12 ids.
    expect((said[0] as unknown as { joins: string[] }).joins).toEqual([
      'user_id:j0',
      'user_id:j1',
      'user_id:j2',
      'user_id:j3',
      'user_id:j4',
      'and 7 more',
    ]);
  });

  it('a list cut as a page loop before the QoS join: logged as cut, not as having no entry (review stop 40, LOW)', async () => {
    const { log, lines } = captureLog();
    // The example's next_page_token comes back on the second page: the read stops there.
    const empty = (l: Record<string, unknown>): Record<string, unknown> => ({ ...l, participants: [] });
    const { samples } = await pollExamples('newer', listFieldsFor(rules, 'meeting'), empty, log);
    expect(samples[0]!.context.role).toBeUndefined();
    // Old code: "the participants list has no entry for 1 join".
    expect(lines.map((l) => l.msg).filter((m) => m.startsWith('the participants list'))).toEqual([
      'the participants list was cut (a next_page_token came back again) before 1 join of the QoS answer: ' +
        'its fields (role, audio_quality...) stay unknown for now; asking again after a backoff',
    ]);
  });

  it('QoS entries without user_id (counted and skipped) are no joins: the list is not read for them, nor warned of', async () => {
    // Outside test (stop 39): the warning named them as joins ("participant_uuid:...") and the
    // list was asked for again after a backoff, though their samples were skipped.
    const { log, lines } = captureLog();
    const empty = (l: Record<string, unknown>): Record<string, unknown> => ({ ...l, participants: [] });
    const noUserId = (q: Record<string, unknown>): Record<string, unknown> => ({
      ...q,
      participants: (q.participants as Record<string, unknown>[]).map((e) => ({ ...e, user_id: undefined })),
    });
    const fields = listFieldsFor(rules, 'meeting');
    const { samples, calls } = await pollExamples('newer', fields, empty, log, noUserId);
    expect(samples).toEqual([]);
    expect(calls.get('qos')).toBeGreaterThan(0);
    expect(calls.get('participants') ?? 0).toBe(0);
    expect(lines.filter((l) => l.msg.includes('the participants list has no entry'))).toEqual([]);
  });

  it('older shape (seed pages): the list gives all context, role included, rule or not', async () => {
    for (const fields of [[], [field('role')]]) {
      const { samples, calls } = await pollExamples('older', fields);
      expect(calls.get('participants')).toBe(1);
      expect(samples[0]!.context).toMatchObject({ role: 'host', dataCenter: 'SC' });
      expect(byRole!.matches(samples[0]!)).toBe(true);
    }
  });
});

describe('start-up and reload logs say when a rule makes qoswatch read the list', () => {
  it('logs "not read" at start, then the rule and its cost after a reload that adds it, and stops reading without it', async () => {
    h = await startSim(roles, 5 * MIN);
    const sim = h;
    const dir = mkdtempSync(join(tmpdir(), 'qw-list-reload-'));
    const rulesFile = join(dir, 'rules.yaml');
    writeFileSync(rulesFile, readFileSync(fromRoot('rules', 'default.yaml'), 'utf8'));
    const lines: string[] = [];
    const config = demoConfig(sim.url, mkdtempSync(join(tmpdir(), 'qw-state-')), 0);
    config.sources.sessions = false;
    config.rules.paths = [rulesFile];
    const daemon = new Daemon(config, {
      clock: sim.clock,
      log: pino({}, { write: (l: string) => lines.push(l) }),
    });
    const messages = (): string[] => lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages().filter((m) => m.includes('participants list'))).toEqual([
      expect.stringContaining('participants list: not read for list-only fields'),
    ]);
    const listCalls = (): number =>
      daemon.parts.clients.zoom!.stats.total({ endpoint: 'meeting_participants' });
    await runUntil(daemon, sim, T0 + 7 * MIN);
    expect(listCalls()).toBe(0);

    writeFileSync(rulesFile, readFileSync(DOC_RULES, 'utf8'));
    expect(daemon.reloadRules()).toBe(true);
    const after = messages()
      .filter((m) => m.includes('participants list'))
      .at(-1)!;
    expect(after).toContain(`${rulesFile}:14:16: rule "host-audio-loss" filters on role`);
    expect(after).toContain('participants list budget: 1 Heavy call per 300 participants');
    await runUntil(daemon, sim, T0 + 9 * MIN);
    const withRule = listCalls();
    expect(withRule).toBeGreaterThan(0);

    writeFileSync(rulesFile, readFileSync(fromRoot('rules', 'default.yaml'), 'utf8'));
    expect(daemon.reloadRules()).toBe(true);
    await runUntil(daemon, sim, T0 + 20 * MIN);
    expect(listCalls()).toBe(withRule);
    await daemon.close();
  });
});
