import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../src/evaluate/alert.js';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { textLines } from '../../src/notify/plugins/format.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, notification, NOW } from '../helpers/alerts.js';
import { channelServers } from '../helpers/channel-servers.js';
import { hookDispatcher } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';

/**
 * A fired-and-resolved message shows the value the alert fired with (outside tester hT41, stop
 * 41, LOW, on 9db32b6): it showed the value it had recovered to against the threshold, so a
 * rule without annotations read `FIRED AND RESOLVED [warning] tgt-lat: 20 ms` and
 * `20 ms (threshold > 300 ms)`, the breaching 999 ms nowhere. The group keeps, on the resolve,
 * the value of the firing alert it held (store.groupAlert); each channel shows that one.
 */
const lat = alert({
  rule: 'tgt-lat',
  annotations: {},
  firingSince: NOW - 60_000,
  valueText: '999 ms',
  value: 0.999,
});
const recovered: Alert = {
  ...lat,
  state: 'resolved',
  reason: 'recovered',
  resolvedAt: NOW,
  value: 0.02,
  valueText: '20 ms',
};

/** The resolve as the group keeps it after holding the firing alert (the store's own code). */
function asGrouped(): Alert {
  const store = new NotifyStore(undefined);
  const timing = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 3_600_000 };
  store.openGroup({ key: 'k', receiver: 'r', labels: {}, timing });
  store.groupAlert('k', lat, NOW);
  store.groupAlert('k', recovered, NOW);
  return store.group('k')!.alerts[lat.id]!;
}

describe('through the dispatcher to a webhook receiver', () => {
  const hook = new TestServer();
  beforeAll(async () => hook.listen());
  afterAll(async () => hook.close());

  it('the payload keeps value (recovered) and gives fired_value and fired_value_text (999 ms)', async () => {
    const clock = new VirtualClock(NOW);
    const d = hookDispatcher(hook.url, clock, mkdtempSync(join(tmpdir(), 'qw-ep-value-')));
    d.ingest(changes(lat));
    clock.advance(10_000);
    d.ingest(changes(recovered));
    for (let t = 0; t < 60_000; t += 5000) {
      clock.advance(5000);
      await d.tick();
    }
    const pages = hook.received.map((r) => JSON.parse(r.body) as { alerts: Record<string, unknown>[] });
    expect(pages.map((p) => p.alerts)).toMatchObject([
      [
        {
          status: 'resolved',
          fired_and_resolved: true,
          value_text: '20 ms',
          fired_value: 0.999,
          fired_value_text: '999 ms',
        },
      ],
    ]);
  });
});

describe('as each channel shows it', () => {
  const { ctx, slack, smtp, receiver, slackUrl } = channelServers(NOW);
  const signal = (): AbortSignal => new AbortController().signal;
  const episode = notification({ firing: [], resolved: [asGrouped()], episodes: [lat.id] });

  it('text (console, e-mail text part): the headline and the value line say the worst, 999 ms, and 20 ms only as the last sample', () => {
    const text = textLines(episode, NOW).join('\n');
    expect(text).toContain(
      'FIRED AND RESOLVED [warning] tgt-lat: worst 999 ms, last sample 20 ms\n  worst 999 ms, last sample 20 ms (threshold > 300 ms) ·',
    );
    expect(text.match(/20 ms/g)).toHaveLength(2);
  });

  it('Slack: the headline and the Value field', async () => {
    await slackNotifier
      .create({ token: slack.token, channel: '#noc', api_url: slackUrl() }, ctx('slack'))
      .send(episode, signal());
    const blocks = JSON.stringify(slack.calls.at(-1)!.args.attachments);
    expect(blocks).toContain('Fired and resolved: *tgt-lat: worst 999 ms, last sample 20 ms*');
    expect(blocks).toContain('*Value*\\nworst 999 ms, last sample 20 ms (&gt; 300 ms)');
    expect(blocks.match(/20 ms/g)).toHaveLength(2);
  });

  it('e-mail: text and HTML', async () => {
    await emailNotifier.create(smtp.settings(), ctx('mail')).send(episode, signal());
    const { text, html } = smtp.mail.at(-1)!.parsed;
    expect(text).toContain('worst 999 ms, last sample 20 ms (threshold > 300 ms)');
    expect(String(html)).toContain('worst 999 ms, last sample 20 ms (threshold &gt; 300 ms)');
    expect(`${String(text)}${String(html)}`).not.toMatch(/[^e] 20 ms/); // never unlabelled
  });

  it('Alertmanager: the value annotation', async () => {
    await alertmanagerNotifier
      .create({ url: receiver.url, endsAfterMs: 300_000 }, ctx('am'))
      .send(episode, signal());
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject([
      { annotations: { value: '999 ms', threshold: '> 300 ms' } },
    ]);
  });

  it('a plain resolve (told firing before) shows the worst, and the value it recovered to as the last sample', () => {
    const plain = notification({ firing: [], resolved: [asGrouped()] });
    expect(textLines(plain, NOW)[0]).toBe('RESOLVED (recovered) tgt-lat: worst 999 ms, last sample 20 ms');
  });

  it('a webhook in the qoswatch format, sent directly', async () => {
    await webhookNotifier.create({ url: `${receiver.url}/in` }, ctx('hook')).send(episode, signal());
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({
      alerts: [{ value_text: '20 ms', fired_value_text: '999 ms' }],
    });
  });
});
