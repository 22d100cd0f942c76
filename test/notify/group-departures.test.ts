import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert, AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import type { QosSample } from '../../src/normalize/sample.js';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { AlertStateStore, restoredState } from '../../src/evaluate/state-store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { notification } from '../helpers/alerts.js';
import { channelServers } from '../helpers/channel-servers.js';
import { hookDispatcher } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';
import { MIN, T } from '../helpers/rules.js';

/**
 * The resolve of a meeting or data-center alert that did not recover, as Slack, e-mail and a
 * webhook show it (outside tester, stop 34, LOW): its breaching members left with healthy ones
 * remaining (the webhook's value_text read "not the only participant (0%)", the text "the only
 * participant recovered"), or its group has nobody any more (it read "The participant left").
 */
const RULES = loadRules([fromRoot('rules', 'default.yaml')]);
const NOW = T + 10 * MIN;

function sample(key: string, meeting: string, minute: number, loss: number, dc = 'NY'): QosSample {
  return {
    instance: {
      kind: 'meeting',
      id: meeting,
      uuid: meeting,
      topic: meeting === 'm1' ? 'Weekly sync' : 'Standup',
    },
    participant: { key, name: key, email: '', ip: '' },
    context: { networkType: 'Wifi', device: 'Windows', dataCenter: dc },
    time: T + minute * MIN,
    streams: { audio_input: { avgLoss: loss } },
  };
}

/**
 * In data center NY, "Weekly sync" has a and b at 9% audio loss and `healthy` at 0.1% (and
 * `staying` at 9%), "Standup" d, e and f at 9%: both meetings and the data center fire. At
 * minute 4 a, b, d, e and f leave; the others go on. The group alerts' resolves, by rule
 * and meeting.
 */
function departures(healthy: string[], staying: string[] = []): Map<string, Alert> {
  const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
  const bad: [string, string][] = [
    ['a', 'm1'],
    ['b', 'm1'],
    ['d', 'm2'],
    ['e', 'm2'],
    ['f', 'm2'],
  ];
  const well = (m: number): QosSample[] => [
    ...healthy.map((h) => sample(h, 'm1', m, 0.001)),
    ...staying.map((p) => sample(p, 'm1', m, 0.09)),
  ];
  const changes = [];
  for (let m = 0; m < 4; m++)
    changes.push(
      ...engine.handle({
        type: 'samples',
        samples: [...bad.map(([p, i]) => sample(p, i, m, 0.09)), ...well(m)],
      }),
    );
  expect(engine.active().filter((a) => a.scope !== 'participant' && a.state === 'firing')).toHaveLength(3);
  for (const [p, i] of bad)
    changes.push(
      ...engine.handle({
        type: 'left',
        instance: sample(p, i, 4, 0).instance,
        participant: p,
        at: T + 4 * MIN,
      }),
    );
  for (let m = 4; m < 6; m++) changes.push(...engine.handle({ type: 'samples', samples: well(m) }));
  const out = new Map<string, Alert>();
  for (const c of changes)
    if (c.state === 'resolved' && c.alert.scope !== 'participant')
      out.set(`${c.alert.rule} ${c.alert.labels.instance ?? ''}`.trim(), c.alert);
  return out;
}

const FIVE = ['a', 'b', 'c', 'd', 'e'];

/**
 * Data center NY's five participants, all breaching, move to SC at minute 4 (still in
 * "Weekly sync"): NY's incident has nobody. The changes of minutes `from` to `to` - 1.
 */
function movedMinutes(
  engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN }),
  from = 0,
  to = 6,
): AlertChange[] {
  const changes: AlertChange[] = [];
  for (let m = from; m < to; m++)
    changes.push(
      ...engine.handle({
        type: 'samples',
        samples: FIVE.map((p) => sample(p, 'm1', m, 0.09, m < 4 ? 'NY' : 'SC')),
      }),
    );
  return changes;
}

/** NY's resolve in `movedMinutes`. */
const moved = (): Alert =>
  movedMinutes().find((c) => c.state === 'resolved' && c.alert.labels.data_center === 'NY')!.alert;

const ONE = {
  meeting:
    '2 breaching participants left "Weekly sync"; the only participant remaining is healthy (audio loss was above 5.0% for 4 min, at worst for 67% of participants)',
  dc: '5 breaching participants left data center NY; the only participant remaining is healthy (audio loss was above 5.0% for 4 min, at worst for 83% of participants)',
  emptied: 'Everyone left "Standup" (audio loss was above 5.0% for 3 min, at worst for 100% of participants)',
};
const SEVERAL = {
  meeting:
    '2 breaching participants left "Weekly sync"; all 3 participants remaining are healthy (audio loss was above 5.0% for 4 min, at worst for 40% of participants)',
  dc: '5 breaching participants left data center NY; all 3 participants remaining are healthy (audio loss was above 5.0% for 4 min, at worst for 63% of participants)',
};
const MOVED =
  "Data center NY has no participants any more: they moved out of it: their data center changed or went away, or the rule's filters stopped matching them (audio loss was above 5.0% for 3 min, at worst for 100% of participants)";

describe('the resolve of a group alert whose breaching members left', () => {
  it.each([
    { healthy: ['c'], texts: ONE, value: '0 of 1 participant (0%)' },
    { healthy: ['c', 'g', 'h'], texts: SEVERAL, value: 'none of the 3 participants (0%)' },
  ])(
    'says who left and that the $healthy.length remaining are healthy, reason left',
    ({ healthy, texts, value }) => {
      const alerts = departures(healthy);
      const meeting = alerts.get('meeting-audio-degraded m1')!;
      const dc = alerts.get('datacenter-loss-incident')!;
      expect([meeting.reason, meeting.annotations.summary, meeting.valueText]).toEqual([
        'left',
        texts.meeting,
        value,
      ]);
      expect([dc.reason, dc.annotations.summary, dc.valueText]).toEqual(['left', texts.dc, value]);
      // "Standup" has nobody any more: its alert resolves when its last participant leaves.
      expect(alerts.get('meeting-audio-degraded m2')!.annotations.summary).toBe(ONE.emptied);
    },
  );

  it('says how many of those remaining are healthy when one still breaches, under the share that fires', () => {
    // "Weekly sync": a, b and x breach, c, g and h do not (3 of 6); a and b leave: 1 of 4.
    const meeting = departures(['c', 'g', 'h'], ['x']).get('meeting-audio-degraded m1')!;
    expect([meeting.reason, meeting.annotations.summary, meeting.valueText]).toEqual([
      'left',
      '2 breaching participants left "Weekly sync"; 3 of 4 participants remaining are healthy (audio loss was above 5.0% for 4 min, at worst for 50% of participants)',
      '1 of 4 participants (25%)',
    ]);
  });

  /**
   * "Weekly sync": a, b and c at 9% loss, d, e and f at 0.1% (3 of 6): its alert fires. a leaves
   * at minute 4 (2 of 5 still breach), b at minute 5 (1 of 4: back). With `restart`, the engine is
   * saved and loaded again between the two leaves, or (`restart: 'after'`) after b's.
   */
  function oneAtATime(restart?: 'between' | 'after'): Alert | undefined {
    let engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
    const again = (): void => {
      const store = new AlertStateStore(mkdtempSync(join(tmpdir(), 'qw-departed-')));
      store.save(engine.state, new Map());
      const saved = store.load();
      engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN }, restoredState(saved.series, saved.members));
    };
    const at = (m: number, who: string[]): AlertChange[] =>
      engine.handle({
        type: 'samples',
        samples: who.map((p) => sample(p, 'm1', m, ['a', 'b', 'c'].includes(p) ? 0.09 : 0.001)),
      });
    const leaves = (p: string, m: number): AlertChange[] =>
      engine.handle({
        type: 'left',
        instance: sample(p, 'm1', m, 0).instance,
        participant: p,
        at: T + m * MIN,
      });
    const changes: AlertChange[] = [];
    for (let m = 0; m < 4; m++) changes.push(...at(m, ['a', 'b', 'c', 'd', 'e', 'f']));
    changes.push(...leaves('a', 4), ...at(4, ['b', 'c', 'd', 'e', 'f']));
    if (restart === 'between') again();
    changes.push(...leaves('b', 5));
    if (restart === 'after') again();
    changes.push(...at(5, ['c', 'd', 'e', 'f']));
    return changes.find((c) => c.state === 'resolved' && c.alert.rule === 'meeting-audio-degraded')?.alert;
  }

  it.each([undefined, 'between', 'after'] as const)(
    'counts every breaching member who left while it fired, not only the last (restart: %s)',
    (restart) => {
      // The old code said "1 breaching participant left" (b), and after a restart "recovered".
      const alert = oneAtATime(restart)!;
      expect([alert.reason, alert.annotations.summary]).toEqual([
        'left',
        '2 breaching participants left "Weekly sync"; 3 of 4 participants remaining are healthy (audio loss was above 5.0% for 5 min, at worst for 50% of participants)',
      ]);
    },
  );

  it('a data center whose participants all moved away says it has nobody any more, and that they moved (reason moved, not left)', () => {
    const alert = moved();
    expect([alert.reason, alert.annotations.summary]).toEqual(['moved', MOVED]);
  });
});

describe('as each channel shows it', () => {
  const { ctx, slack, smtp, receiver, slackUrl } = channelServers(NOW);

  const resolvedOf = (): Alert[] => {
    const alerts = departures(['c']);
    return [alerts.get('meeting-audio-degraded m1')!, alerts.get('datacenter-loss-incident')!, moved()];
  };
  const signal = (): AbortSignal => new AbortController().signal;

  it('Slack: the headline says who left or moved, Who names the group without "recovered", Why it ended: left, moved', async () => {
    await slackNotifier
      .create({ token: slack.token, channel: '#noc', api_url: slackUrl() }, ctx('slack'))
      .send(notification({ firing: [], resolved: resolvedOf() }), signal());
    const fields = JSON.stringify(slack.calls.at(-1)!.args.attachments);
    for (const text of [ONE.meeting, ONE.dc, MOVED])
      expect(fields).toContain(JSON.stringify(`*${text}*`).slice(1, -1));
    expect(fields).toContain('*Who*\\n\\"Weekly sync\\""');
    expect(fields).toContain('*Who*\\ndata_center NY"');
    expect(fields).toContain('*Why it ended*\\nleft');
    expect(fields).toContain('*Why it ended*\\nmoved');
    expect(fields).not.toMatch(/recovered|not the only/);
  });

  it('e-mail: the text and HTML parts say who left, and no recovery', async () => {
    await emailNotifier
      .create(smtp.settings(), ctx('mail'))
      .send(notification({ firing: [], resolved: resolvedOf() }), signal());
    const { text, html } = smtp.mail.at(-1)!.parsed;
    expect(text).toContain(
      `RESOLVED (left) ${ONE.meeting}\n  worst 67% of participants, last 0 of 1 participant (0%) · "Weekly sync" · was breaching from`,
    );
    expect(text).toContain(
      `RESOLVED (left) ${ONE.dc}\n  worst 83% of participants, last 0 of 1 participant (0%) · data_center NY · was breaching from`,
    );
    expect(text).toContain(
      `RESOLVED (moved) ${MOVED}\n  worst 100% of participants · data_center NY · was breaching from`,
    );
    expect(String(html)).toContain('ended (left)');
    expect(String(html)).toContain('ended (moved)');
    expect(`${text} ${String(html)}`).not.toMatch(/recovered|not the only/);
  });

  it('webhook: value_text is a count people read, reason left or moved, the summary says who left or moved', async () => {
    await webhookNotifier
      .create({ url: `${receiver.url}/in` }, ctx('hook'))
      .send(notification({ firing: [], resolved: resolvedOf() }), signal());
    const body = JSON.parse(receiver.received.at(-1)!.body) as { alerts: Record<string, unknown>[] };
    expect(body.alerts).toMatchObject([
      {
        status: 'resolved',
        reason: 'left',
        value_text: '0 of 1 participant (0%)',
        annotations: { summary: ONE.meeting },
      },
      {
        status: 'resolved',
        reason: 'left',
        value_text: '0 of 1 participant (0%)',
        annotations: { summary: ONE.dc },
      },
      { status: 'resolved', reason: 'moved', annotations: { summary: MOVED } },
    ]);
  });

  it('Alertmanager: the resolve is posted with its end time and the text that says they moved', async () => {
    await alertmanagerNotifier
      .create({ url: receiver.url, endsAfterMs: 5 * MIN }, ctx('am'))
      .send(notification({ firing: [], resolved: [moved()] }), signal());
    const posted = JSON.parse(receiver.received.at(-1)!.body) as Record<string, unknown>[];
    expect(posted).toMatchObject([
      {
        labels: { alertname: 'datacenter-loss-incident', data_center: 'NY' },
        annotations: { summary: MOVED },
        endsAt: new Date(T + 4 * MIN).toISOString(),
      },
    ]);
  });
});

describe('with rules.notify_left_and_ended: false', () => {
  /**
   * A group alert whose members moved out of its group is always sent (outside tester, hM2's
   * brief M2): with reason `left`, as it was, the setting held its resolve back, and the
   * receiver kept the page open for good. Resolves because people left still follow the setting.
   */
  const hook = new TestServer();
  beforeAll(async () => hook.listen());
  afterAll(async () => hook.close());
  const route = { group_by: ['...'], group_wait: '0s', group_interval: '1s' };
  const sent = (): string[] =>
    hook.received.flatMap((r) =>
      (
        JSON.parse(r.body) as {
          alerts: { status: string; reason: string | null; labels: Record<string, string> }[];
        }
      ).alerts
        .filter((a) => a.labels.scope !== 'participant')
        .map((a) =>
          `${a.status} ${a.labels.alertname} ${a.labels.data_center ?? ''} ${a.reason ?? ''}`.trim(),
        ),
    );
  const advance = async (d: Dispatcher, clock: VirtualClock, ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 1000) {
      clock.advance(1000);
      await d.tick();
    }
  };

  it('sends the resolve of a data center whose members all moved away (reason moved), after a restart too; not those of people who left', async () => {
    hook.received.length = 0;
    const clock = new VirtualClock(NOW);
    const dir = mkdtempSync(join(tmpdir(), 'qw-moved-'));
    const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
    const d1 = hookDispatcher(hook.url, clock, dir, { notifyLeftAndEnded: false, route });
    d1.ingest(movedMinutes(engine, 0, 4));
    await advance(d1, clock, 2000);
    // The meeting's alert and the participants' are explained by NY's incident: held back.
    expect(sent()).toEqual(['firing datacenter-loss-incident NY']);
    // Minutes 4 to 7: they move to SC, which fires. NY's resolve waits in its group when the
    // process stops (a restart reads it from the state file: its reason must load).
    d1.ingest(movedMinutes(engine, 4, 8));
    const d2 = hookDispatcher(hook.url, clock, dir, {
      notifyLeftAndEnded: false,
      route,
      store: new NotifyStore(dir),
    });
    d2.seed(engine.active());
    await advance(d2, clock, 2000);
    // Then everyone leaves the meeting: its alert and SC's resolve with reason left, not sent.
    const left = FIVE.flatMap((p) =>
      engine.handle({
        type: 'left',
        instance: sample(p, 'm1', 8, 0).instance,
        participant: p,
        at: T + 8 * MIN,
      }),
    );
    expect(
      left.filter((c) => c.alert.scope !== 'participant').map((c) => `${c.alert.rule} ${c.alert.reason}`),
    ).toEqual(['meeting-audio-degraded left', 'datacenter-loss-incident left']);
    d2.ingest(left);
    await advance(d2, clock, 5000);
    expect(sent()).toEqual([
      'firing datacenter-loss-incident NY',
      'resolved datacenter-loss-incident NY moved',
      'firing datacenter-loss-incident SC',
    ]);
  });
});
