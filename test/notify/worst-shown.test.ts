import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { fromRoot } from '../../src/util/package-root.js';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import { emailNotifier } from '../../src/notify/plugins/email.js';
import { textLines } from '../../src/notify/plugins/format.js';
import { slackNotifier } from '../../src/notify/plugins/slack.js';
import { webhookNotifier } from '../../src/notify/plugins/webhook.js';
import { alert, notification, NOW } from '../helpers/alerts.js';
import { MIN, sample } from '../helpers/rules.js';
import { channelServers } from '../helpers/channel-servers.js';

/**
 * How bad an alert got (Alert.worst) as each channel says it. Before it, a firing alert showed
 * only its newest value (350 ms, the 500 ms before it nowhere) and a leaver's resolve showed no
 * value in Slack and e-mail, or, in a rule's text and the Alertmanager `value` annotation, their
 * last sample, under the threshold (55 ms), as what it was.
 */
const firing = alert({
  rule: 'tgt-lat',
  annotations: {},
  value: 0.35,
  valueText: '350 ms',
  worst: 0.5,
  worstText: '500 ms',
  worstAt: NOW - 90_000,
});
const left: Alert = {
  ...alert({ rule: 'tgt-lat', annotations: {}, state: 'resolved', reason: 'left' }),
  value: 0.055,
  valueText: '55 ms',
  worst: 0.6,
  worstText: '600 ms',
  worstAt: NOW - 90_000,
};
const signal = (): AbortSignal => new AbortController().signal;

/**
 * meeting-audio-degraded of the default rules as it fires: 3, 2, then 1 of 3 participants with
 * 9% audio loss, a minute apart.
 */
function defaultGroupFiring(): Alert {
  const engine = new RuleEngine(loadRules([fromRoot('rules', 'default.yaml')]), { gapToleranceMs: 5 * MIN });
  const changes = [3, 2, 1].flatMap((bad, m) =>
    engine.handle({
      type: 'samples',
      samples: [0, 1, 2].map((i) => sample(`p${i}`, m, { audio_input: { avgLoss: i < bad ? 0.09 : 0.004 } })),
    }),
  );
  const fired = changes.find((c) => c.state === 'firing' && c.alert.rule === 'meeting-audio-degraded');
  return fired!.alert;
}

describe('the worst value on each channel', () => {
  const { ctx, slack, smtp, receiver, slackUrl } = channelServers(NOW);
  const n = notification({ firing: [firing], resolved: [left] });

  it('text (console, e-mail text part): firing says the worst so far, the resolve the worst and the last sample apart', () => {
    const text = textLines(n, NOW).join('\n');
    expect(text).toContain(
      'FIRING [warning] tgt-lat: 350 ms, worst so far 500 ms\n  350 ms, worst so far 500 ms (threshold > 300 ms) ·',
    );
    expect(text).toContain(
      'RESOLVED (left) tgt-lat: worst 600 ms, last sample 55 ms\n  worst 600 ms, last sample 55 ms · bob',
    );
    expect(text).not.toMatch(/[^e] 55 ms/); // the last sample only as such
  });

  it('Slack: the Value fields', async () => {
    const slackOf = slackNotifier.create(
      { token: slack.token, channel: '#noc', api_url: slackUrl() },
      ctx('slack'),
    );
    await slackOf.send(n, signal());
    const fields = JSON.stringify(slack.calls.at(-1)!.args.attachments).match(/\*Value\*[^"]*/g);
    expect(fields).toEqual([
      '*Value*\\n350 ms, worst so far 500 ms (&gt; 300 ms)',
      '*Value*\\nworst 600 ms, last sample 55 ms (&gt; 300 ms)',
    ]);
  });

  it('e-mail: the HTML rows', async () => {
    await emailNotifier.create(smtp.settings(), ctx('mail')).send(n, signal());
    const html = String(smtp.mail.at(-1)!.parsed.html);
    expect(html).toContain('350 ms, worst so far 500 ms (threshold &gt; 300 ms)');
    expect(html).toContain('worst 600 ms, last sample 55 ms (threshold &gt; 300 ms)');
  });

  /** What the Alertmanager notifier `name` posts of `what`. */
  const posted = async (what: typeof n, name: string): Promise<unknown> => {
    await alertmanagerNotifier
      .create({ url: receiver.url, endsAfterMs: 300_000 }, ctx(name))
      .send(what, signal());
    return JSON.parse(receiver.received.at(-1)!.body);
  };

  it('Alertmanager: a worst annotation beside value', async () => {
    expect(await posted(n, 'am')).toMatchObject([
      { annotations: { value: '350 ms', worst: '350 ms, worst so far 500 ms' } },
      { annotations: { value: '55 ms', worst: 'worst 600 ms, last sample 55 ms' } },
    ]);
  });

  it('a webhook: worst, worst_text and worst_at in the qoswatch format, the worst annotation in the Alertmanager one', async () => {
    await webhookNotifier.create({ url: `${receiver.url}/own` }, ctx('hook')).send(n, signal());
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({
      alerts: [
        {
          value_text: '350 ms',
          worst: 0.5,
          worst_text: '500 ms',
          worst_at: new Date(NOW - 90_000).toISOString(),
        },
        { value_text: '55 ms', worst: 0.6, worst_text: '600 ms' },
      ],
    });
    await webhookNotifier
      .create({ url: `${receiver.url}/am`, format: 'alertmanager' }, ctx('hook-am'))
      .send(n, signal());
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({
      alerts: [
        { annotations: { worst: '350 ms, worst so far 500 ms' } },
        { annotations: { worst: 'worst 600 ms, last sample 55 ms' } },
      ],
    });
  });

  it("a rule's own worst annotation is kept", async () => {
    const own = notification({ firing: [{ ...firing, annotations: { worst: 'mine' } }] });
    expect(await posted(own, 'am2')).toMatchObject([{ annotations: { worst: 'mine' } }]);
  });

  /** A meeting-scope alert firing with 17 of 30 breaching (57%) after 4 of 7 (57% too). */
  const group = (): Alert => ({
    ...alert({ rule: 'meeting-audio-degraded', participant: '' }),
    scope: 'instance',
    annotations: {
      summary: 'Bad audio (loss above 5.0%) for 17 of 30 participants in "Weekly sync" for 2 min',
    },
    value: 17 / 30,
    valueText: '17 of 30 participants (57%)',
    threshold: 0.05,
    thresholdText: '33% with avg_loss > 5.0%',
    worst: 4 / 7,
    worstText: '57% of participants',
    worstAt: NOW - 60_000,
    context: {
      kind: 'meeting',
      instanceId: '85012345678',
      uuid: '85012345678',
      topic: 'Weekly sync',
      participants: 7,
      breaching: 3,
    },
  });

  it('a group firing past its worst (default rules): every channel says the worst so far, as for a participant', async () => {
    const g = notification({ firing: [defaultGroupFiring()] });
    const head =
      'Bad audio (loss above 5.0%) for 1 of 3 participants in "Topic m1" for 2 min (at worst for 100% of participants)';
    const value = '1 of 3 participants (33.3%), worst so far 100% of participants';
    const lines = textLines(g, NOW).join('\n');
    expect(lines).toContain(`FIRING [critical] ${head}\n  ${value} (threshold 33% with avg_loss > 5.0%)`);
    await slackNotifier
      .create({ token: slack.token, channel: '#noc', api_url: slackUrl() }, ctx('slack-g'))
      .send(g, signal());
    const sent = JSON.stringify(slack.calls.at(-1)!.args.attachments);
    expect(sent).toContain(`*${JSON.stringify(head).slice(1, -1)}*`); // a JSON string's quotes escaped
    expect(sent).toContain(`*Value*\\n${value} (33% with avg_loss &gt; 5.0%)`);
    await emailNotifier.create(smtp.settings(), ctx('mail-g')).send(g, signal());
    const mail = smtp.mail.at(-1)!.parsed;
    expect(String(mail.html)).toContain(head.replaceAll('"', '&quot;'));
    expect(String(mail.html)).toContain(value);
    expect(String(mail.text)).toContain(`${head}\n  ${value}`);
    await webhookNotifier.create({ url: `${receiver.url}/own-g` }, ctx('hook-g')).send(g, signal());
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({
      alerts: [
        {
          annotations: { summary: head },
          value_text: '1 of 3 participants (33.3%)',
          worst: 1,
          worst_text: '100% of participants',
        },
      ],
    });
  });

  it('a group whose worst reads as its value (57% and 57%): no "worst so far" beside it', () => {
    const lines = textLines(notification({ firing: [group()] }), NOW).join('\n');
    expect(lines).toContain('  17 of 30 participants (57%) (threshold');
    expect(lines).not.toContain('worst so far');
  });
});
