import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../src/evaluate/alert.js';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, notification, NOW } from '../helpers/alerts.js';
import { channelServers } from '../helpers/channel-servers.js';
import { hookDispatcher, type HookDispatcherOptions } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';

/**
 * An alert that fired and resolved before its group's first message (outside tester hT41, stop
 * 41, MEDIUM): Bob had 450 ms audio latency for 4 min and left, all seen in one poll. The
 * group's resolve replaced its firing before group_wait ended, and a resolve goes only for an
 * alert notified firing: nothing was sent, on every notifier. Now the group's message carries
 * it once, as fired and resolved (`episodes`), and each notifier says so.
 */
const MIN = 60_000;
const firing = alert({ since: NOW - 6 * MIN, firingSince: NOW - 4 * MIN, durationMs: 2 * MIN });
const left = alert({
  state: 'resolved',
  reason: 'left',
  since: NOW - 6 * MIN,
  firingSince: NOW - 4 * MIN,
  resolvedAt: NOW - MIN,
  durationMs: 5 * MIN,
  annotations: { summary: 'Bob left "Weekly sync"; audio latency was above 300 ms for 5 min, worst 450 ms' },
});

interface Page {
  id: string;
  status: string;
  alerts: { id: string; status: string; reason: string | null; fired_and_resolved?: boolean }[];
}

describe('through the dispatcher to a webhook receiver', () => {
  const hook = new TestServer();
  beforeAll(async () => hook.listen());
  afterAll(async () => hook.close());

  const pages = (from: number): Page[] => hook.received.slice(from).map((r) => JSON.parse(r.body) as Page);
  const dir = (): string => mkdtempSync(join(tmpdir(), 'qw-episode-'));
  const advance = async (d: Dispatcher, clock: VirtualClock, ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 5000) {
      clock.advance(5000);
      await d.tick();
    }
  };
  /** Firing and left in one ingest (one poll), then 1 min of 5 s ticks: what the receiver got. */
  async function onePoll(opts: HookDispatcherOptions = {}, ...alerts: Alert[]): Promise<Page[]> {
    const clock = new VirtualClock(NOW);
    const from = hook.received.length;
    const d = hookDispatcher(hook.url, clock, dir(), opts);
    d.ingest(changes(...(alerts.length ? alerts : [firing, left])));
    await advance(d, clock, MIN);
    return pages(from);
  }

  it('sends it once, after group_wait, as fired and resolved (nothing on the old code)', async () => {
    const sent = await onePoll();
    expect(
      sent.map((p) => [p.status, p.alerts.map((a) => [a.status, a.reason, a.fired_and_resolved])]),
    ).toEqual([['resolved', [['resolved', 'left', true]]]]);
  });

  it('sends it also with notify_left_and_ended: false and with send_resolved: false: it is the one message of an alert that fired', async () => {
    expect(await onePoll({ notifyLeftAndEnded: false })).toHaveLength(1);
    expect(await onePoll({ sendResolved: false })).toHaveLength(1);
  });

  it('keeps it back while a silence mutes it', async () => {
    expect(await onePoll({ silences: [{ matchers: { participant: 'bob' } }] })).toEqual([]);
  });

  it('an alert told firing resolves as before: a resolve, not marked fired and resolved', async () => {
    const clock = new VirtualClock(NOW);
    const from = hook.received.length;
    const d = hookDispatcher(hook.url, clock, dir());
    d.ingest(changes(firing));
    await advance(d, clock, MIN);
    d.ingest(changes(left));
    await advance(d, clock, 6 * MIN);
    const sent = pages(from).map((p) => p.alerts.map((a) => [a.status, a.fired_and_resolved ?? false]));
    expect(sent).toEqual([[['firing', false]], [['resolved', false]]]);
  });

  it('survives a restart before group_wait ends, and one after it was queued, under the same id', async () => {
    const clock = new VirtualClock(NOW);
    const state = dir();
    const from = hook.received.length;
    hookDispatcher(hook.url, clock, state).ingest(changes(firing, left));
    // Killed before group_wait: the next start's dispatcher finds the group in notify.json.
    clock.advance(10_000);
    const d2 = hookDispatcher(hook.url, clock, state);
    d2.seed([]);
    // Its receiver down: the episode is queued and fails; killed again before it is delivered.
    hook.reply = (_r, res) => res.writeHead(503).end();
    await advance(d2, clock, 30_000);
    const failed = pages(from);
    expect(failed.length).toBeGreaterThan(0);
    hook.reply = (_r, res) => res.end('{}');
    const d3 = hookDispatcher(hook.url, clock, state, {
      store: new NotifyStore(state, undefined, clock.now()),
    });
    d3.seed([]);
    const before = hook.received.length;
    await advance(d3, clock, 2 * MIN);
    const delivered = pages(before);
    // Delivered once, under the id of every failed attempt: nothing lost, nothing said twice.
    expect(delivered.map((p) => p.id)).toEqual([failed[0]!.id]);
    expect(new Set(failed.map((p) => p.id))).toEqual(new Set([failed[0]!.id]));
    expect(delivered[0]!.alerts).toMatchObject([
      { status: 'resolved', reason: 'left', fired_and_resolved: true },
    ]);
  });
});

describe('as each notifier shows it', () => {
  const { ctx, slack, smtp, receiver, slackUrl } = channelServers(NOW);
  const signal = (): AbortSignal => new AbortController().signal;
  const episode = notification({ firing: [], resolved: [left], episodes: [left.id] });
  const SPAN =
    'fired 2026-05-04T09:26:00Z, resolved 2026-05-04T09:29:00Z (left); breached from 2026-05-04T09:24:00Z (5 min)';

  it('Slack: in the colour of its severity, "Fired and resolved:", its value, and when it fired and resolved', async () => {
    await slackNotifier
      .create({ token: slack.token, channel: '#noc', api_url: slackUrl() }, ctx('slack'))
      .send(episode, signal());
    const call = slack.calls.at(-1)!;
    expect(call.method).toBe('chat.postMessage');
    expect(call.args.text).toBe('[FIRED AND RESOLVED:1] audio-latency-high in "Weekly sync"');
    const blocks = JSON.stringify(call.args.attachments);
    expect(blocks).toContain('"color":"#f9a825"');
    expect(blocks).toContain(':large_orange_circle: Fired and resolved: *Bob left');
    expect(blocks).toContain('*Value*\\nworst 450 ms (&gt; 300 ms)');
    expect(blocks).toContain(`*Fired and resolved*\\n${SPAN}`);
  });

  it('e-mail: the subject counts it apart, the text and HTML say fired and resolved with value and times', async () => {
    await emailNotifier.create(smtp.settings(), ctx('mail')).send(episode, signal());
    const { subject, text, html } = smtp.mail.at(-1)!.parsed;
    expect(subject).toBe('[FIRED AND RESOLVED:1] audio-latency-high in "Weekly sync"');
    expect(text).toContain(
      `FIRED AND RESOLVED [warning] Bob left "Weekly sync"; audio latency was above 300 ms for 5 min, worst 450 ms\n  worst 450 ms (threshold > 300 ms) · bob in "Weekly sync" · DC SC · Wifi · Mac · ${SPAN}`,
    );
    expect(String(html)).toContain('<b>FIRED AND RESOLVED [warning]</b>');
    expect(String(html)).toContain(SPAN);
  });

  it('webhook, both formats: resolved with its start and end; qoswatch format marks it fired_and_resolved', async () => {
    await webhookNotifier.create({ url: `${receiver.url}/in` }, ctx('hook')).send(episode, signal());
    const own = JSON.parse(receiver.received.at(-1)!.body) as Record<string, unknown>;
    expect(own.alerts).toMatchObject([
      {
        status: 'resolved',
        fired_and_resolved: true,
        firing_since: '2026-05-04T09:26:00.000Z',
        ends_at: '2026-05-04T09:29:00.000Z',
      },
    ]);
    await webhookNotifier
      .create({ url: `${receiver.url}/am`, format: 'alertmanager' }, ctx('am-hook'))
      .send(episode, signal());
    const am = JSON.parse(receiver.received.at(-1)!.body) as Record<string, unknown>;
    expect(am).toMatchObject({
      status: 'resolved',
      alerts: [
        { status: 'resolved', startsAt: '2026-05-04T09:26:00.000Z', endsAt: '2026-05-04T09:29:00.000Z' },
      ],
    });
  });

  it('Alertmanager: posted once, resolved, with startsAt and endsAt', async () => {
    await alertmanagerNotifier
      .create({ url: receiver.url, endsAfterMs: 5 * MIN }, ctx('am'))
      .send(episode, signal());
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject([
      { startsAt: '2026-05-04T09:26:00.000Z', endsAt: '2026-05-04T09:29:00.000Z' },
    ]);
  });
});
