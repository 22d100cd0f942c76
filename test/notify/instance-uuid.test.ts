import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RawRoute } from '../../src/config/raw.js';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import { AlertStateStore, restoredState } from '../../src/evaluate/state-store.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import type { RawInhibitRule } from '../../src/config/raw.js';
import { VirtualClock } from '../../src/util/clock.js';
import { hookDispatcher } from '../helpers/hook-dispatcher.js';
import { json, TestServer } from '../helpers/http-server.js';
import { MIN, rulesFrom, sample, T } from '../helpers/rules.js';

/**
 * Issue 15 (outside retest, LOW): a ghost (a UUID Zoom pushes that discovery never lists) and the
 * real meeting sharing its number got identical alert labels, so they were one notification
 * group, one Alertmanager alert, and one's meeting alert muted the other's participant alerts.
 * Alerts now carry `instance_uuid`, and `group_by`/`equal` naming `instance` take it too. An
 * alert firing when qoswatch is upgraded keeps the labels it was notified with until it
 * resolves, so its resolve goes to the group that announced it.
 */
const NUMBER = '83200000001';
const REAL = 'real/meeting==';
const GHOST = 'ghost+uuid==';
const rules: Partial<RawRule>[] = [
  { name: 'lat', streams: ['any_audio'], metric: 'latency', when: 'above', threshold: '300ms', for: '0' },
  {
    name: 'meeting-lat',
    scope: 'instance',
    streams: ['any_audio'],
    metric: 'latency',
    when: 'above',
    threshold: '300ms',
    breaching: { ratio: '50%' },
    min_participants: 1,
    for: '0',
  },
];
const engine = (saved?: AlertStateStore): RuleEngine =>
  new RuleEngine(
    rulesFrom(rules),
    { gapToleranceMs: 5 * MIN },
    saved ? restoredState(saved.load().series) : undefined,
  );
/** A sample of participant `p` at minute `m` in the instance `uuid` of meeting NUMBER. */
const at = (uuid: string, p: string, m: number, latency: number): QosSample => {
  const s = sample(p, m, { audio_input: { latency } });
  return { ...s, instance: { ...s.instance, id: NUMBER, uuid, topic: uuid === REAL ? 'Real' : 'Ghost' } };
};
const feed = (e: RuleEngine, samples: QosSample[]): AlertChange[] => e.handle({ type: 'samples', samples });

let server: TestServer;
let clock: VirtualClock;
let stateDir: string;
beforeEach(async () => {
  server = new TestServer((_r, res) => json(res, 200, {}));
  await server.listen();
  clock = new VirtualClock(T + 5 * MIN);
  stateDir = mkdtempSync(join(tmpdir(), 'qw-uuid-labels-'));
});
afterEach(async () => server.close());

interface Payload {
  status: string;
  group_labels: Record<string, string>;
  alerts: { id: string; status: string; labels: Record<string, string> }[];
}
const received = (): Payload[] => server.received.map((r) => JSON.parse(r.body) as Payload);

/** The daemon's default route (group_by alertname and instance) to a webhook receiver. */
const dispatcher = (inhibit: RawInhibitRule[] = [], route: RawRoute = {}): Dispatcher =>
  hookDispatcher(server.url, clock, stateDir, { groupBy: ['alertname', 'instance'], inhibit, route });
async function advance(d: Dispatcher, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1000) {
    clock.advance(1000);
    await d.tick();
  }
}

describe('a ghost and the real meeting sharing a meeting number', () => {
  it('get alerts with different labels: instance_uuid names the call', () => {
    const e = engine();
    const changes = feed(e, [at(REAL, 'ann', 0, 0.4), at(GHOST, 'ann', 0, 0.4)]);
    const meeting = changes.filter((c) => c.alert.rule === 'meeting-lat').map((c) => c.alert.labels);
    expect(meeting).toEqual([
      {
        alertname: 'meeting-lat',
        severity: 'warning',
        scope: 'instance',
        kind: 'meeting',
        instance: NUMBER,
        instance_uuid: REAL,
      },
      {
        alertname: 'meeting-lat',
        severity: 'warning',
        scope: 'instance',
        kind: 'meeting',
        instance: NUMBER,
        instance_uuid: GHOST,
      },
    ]);
    // The same participant key in both (a ghost replaying the real meeting's joins): still two.
    const participant = changes
      .filter((c) => c.alert.rule === 'lat')
      .map((c) => c.alert.labels.instance_uuid);
    expect(participant).toEqual([REAL, GHOST]);
  });

  it('are two notification groups under group_by [alertname, instance], each naming its UUID', async () => {
    const d = dispatcher();
    d.ingest(
      feed(engine(), [at(REAL, 'ann', 0, 0.4), at(GHOST, 'ann', 0, 0.4)]).filter(
        (c) => c.alert.rule === 'meeting-lat',
      ),
    );
    await advance(d, 30_000);
    const sent = received();
    expect(sent.map((p) => p.group_labels)).toEqual([
      { alertname: 'meeting-lat', instance: NUMBER, instance_uuid: REAL },
      { alertname: 'meeting-lat', instance: NUMBER, instance_uuid: GHOST },
    ]);
    expect(sent.map((p) => p.alerts.length)).toEqual([1, 1]);
  });

  it("one's meeting alert does not mute the other's participant alerts (inhibit equal: [instance])", async () => {
    const d = dispatcher(
      [{ source_match: { scope: 'instance' }, target_match: { scope: 'participant' }, equal: ['instance'] }],
      {
        group_by: ['...'],
      },
    );
    const e = engine();
    // The ghost's meeting alert fires (its one participant breaches); in the real meeting only
    // Ann of three does: a participant alert, no meeting alert.
    const changes = feed(e, [
      at(GHOST, 'gus', 0, 0.4),
      at(REAL, 'ann', 0, 0.4),
      at(REAL, 'bob', 0, 0.1),
      at(REAL, 'cy', 0, 0.1),
    ]);
    expect(changes.map((c) => `${c.alert.rule}:${c.alert.labels.instance_uuid}`).sort()).toEqual([
      `lat:${GHOST}`,
      `lat:${REAL}`,
      `meeting-lat:${GHOST}`,
    ]);
    d.ingest(changes);
    await advance(d, 30_000);
    const alerts = received().flatMap((p) =>
      p.alerts.map((a) => `${a.labels.alertname}:${a.labels.instance_uuid}`),
    );
    // The ghost's own participant alert is muted by its meeting alert; the real meeting's is not.
    expect(alerts.sort()).toEqual([`lat:${REAL}`, `meeting-lat:${GHOST}`]);
  });
});

describe('an alert firing when qoswatch is upgraded to labels with instance_uuid', () => {
  it('keeps the labels it was notified with, and its resolve goes to the group that announced it', async () => {
    const store = new AlertStateStore(stateDir);
    const e1 = engine();
    const fired = feed(e1, [at(REAL, 'ann', 0, 0.4)]).filter((c) => c.alert.rule === 'meeting-lat');
    // As the version before this one notified it: no instance_uuid.
    const oldLabels = Object.fromEntries(
      Object.entries(fired[0]!.alert.labels).filter(([k]) => k !== 'instance_uuid'),
    );
    const d1 = dispatcher();
    d1.ingest([{ ...fired[0]!, alert: { ...fired[0]!.alert, labels: oldLabels } }]);
    await advance(d1, 30_000);
    expect(received().map((p) => p.group_labels)).toEqual([{ alertname: 'meeting-lat', instance: NUMBER }]);
    // ...and saved its alert state without the marker of labels with instance_uuid.
    store.save(e1.state, new Map());
    const file = JSON.parse(readFileSync(store.file, 'utf8')) as Record<string, unknown>;
    delete file.labels;
    writeFileSync(store.file, JSON.stringify(file));

    // Upgraded: restarted on the same state.dir, the meeting recovers.
    const e2 = engine(store);
    const d2 = dispatcher();
    const resolved = feed(e2, [at(REAL, 'ann', 1, 0.1)]).filter((c) => c.alert.rule === 'meeting-lat');
    expect(resolved.map((c) => [c.alert.state, c.alert.labels])).toEqual([['resolved', oldLabels]]);
    d2.ingest(resolved);
    await advance(d2, 300_000);
    const sent = received();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({
      status: 'resolved',
      group_labels: { alertname: 'meeting-lat', instance: NUMBER },
    });

    // Saved again, it keeps nothing old: the meeting's next alert carries instance_uuid.
    store.save(e2.state, new Map());
    const e3 = engine(store);
    const next = feed(e3, [at(REAL, 'ann', 2, 0.4)]).filter((c) => c.alert.rule === 'meeting-lat');
    expect(next[0]!.alert.labels.instance_uuid).toBe(REAL);
  });

  it('an alert state file written by this version is read without the old-label mark', () => {
    const store = new AlertStateStore(stateDir);
    const e1 = engine();
    feed(e1, [at(REAL, 'ann', 0, 0.4)]);
    store.save(e1.state, new Map());
    const e2 = engine(store);
    const resolved = feed(e2, [at(REAL, 'ann', 1, 0.1)]).filter((c) => c.alert.rule === 'meeting-lat');
    expect(resolved[0]!.alert.labels.instance_uuid).toBe(REAL);
  });
});
