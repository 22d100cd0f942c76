import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import type { Dispatcher } from '../../src/notify/dispatcher.js';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import { NotifyError } from '../../src/notify/plugins/errors.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, changes, NOW, notification } from '../helpers/alerts.js';
import { receiversOf, routeAll, testDispatcher } from '../helpers/hook-dispatcher.js';
import { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';

interface Posted {
  labels: Record<string, string>;
}

const TOKEN = 'Bearer s3cr3t-t0ken-4f9a2b';

/**
 * A fake Alertmanager (or a proxy in front of one) on 127.0.0.1 that refuses, with a 400 and a
 * reason, every batch holding an alert of participant mallory (or of a group whose location is), storing nothing of it (eve's
 * answer echoes the request's authorization header, as a careless proxy may); a 503 while
 * `down`, and for a batch holding an alert of a participant in `failing`.
 */
const stored: Posted[] = [];
let down = false;
const failing = new Set<string>();
/** Added to the reason mallory's alerts are refused for; `forgiven`: they are taken. */
let note = '';
let forgiven = false;
const server = new TestServer((r, res) => {
  const batch = JSON.parse(r.body) as Posted[];
  const has = (p: (who: string) => boolean): boolean =>
    batch.some((a) => p(a.labels.participant ?? a.labels.location ?? ''));
  if (down || (!has((p) => p.startsWith('mallory') || p === 'eve') && has((p) => failing.has(p)))) {
    res.statusCode = 503;
    res.end('"down"');
  } else if (has((p) => p === 'frank')) {
    // The header's token in base64, across the 300th character of the reason.
    const b64 = Buffer.from(r.headers.authorization!.slice('Bearer '.length)).toString('base64');
    res.statusCode = 400;
    res.end(JSON.stringify({ message: `${'x'.repeat(280)} b64=${b64}` }));
  } else if (has((p) => p === 'eve')) {
    res.statusCode = 400;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        message: `bad alert\u0007 from a client sending ${r.headers.authorization}; ${'x'.repeat(400)}`,
      }),
    );
  } else if (has((p) => p.startsWith('mallory') && !forgiven)) {
    res.statusCode = 400;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(`invalid label set: participant "mallory"\nis not allowed here${note}`));
  } else {
    stored.push(...batch);
    res.end();
  }
});
beforeAll(() => server.listen());
afterAll(() => server.close());
beforeEach(() => {
  stored.length = 0;
  server.received.length = 0;
  failing.clear();
  note = '';
  forgiven = false;
});

function notifier(): { send: (firing: Alert[]) => Promise<unknown>; warned: () => string[] } {
  const { log, lines } = captureLog();
  const n = alertmanagerNotifier.create(
    { url: server.url, endsAfterMs: 5 * 60_000, headers: { authorization: TOKEN } },
    { name: 'am', clock: new VirtualClock(NOW), log, memory: new NotifyStore(undefined).memory('am') },
  );
  return {
    // Each send a notification of its own, as the dispatcher makes them; resolved alerts as such.
    send: (alerts) => {
      const [resolved, firing] = [alerts.filter((a) => a.resolvedAt), alerts.filter((a) => !a.resolvedAt)];
      return n.send(notification({ id: `n${sends++}`, firing, resolved }), new AbortController().signal);
    },
    warned: () => lines.filter((l) => l.level === 40).map((l) => l.msg),
  };
}
let sends = 0;
const who = (): string[] => stored.map((a) => a.labels.participant!);
/** Each request's participants, in the order the fake Alertmanager received them. */
const requests = (): string[][] =>
  server.received.map((r) => (JSON.parse(r.body) as Posted[]).map((a) => a.labels.participant!));

describe('alertmanager notifier: one alert refused in a batch (outside tester: the valid ones were dropped with it)', () => {
  it('posts each alone after a 400 for the batch: the valid ones are taken, the refused one logged with the reason and dropped', async () => {
    const { send, warned } = notifier();
    // The old code threw the batch's 400 (a permanent failure): bob's and ann's alerts were lost.
    await send([
      alert({ participant: 'bob' }),
      alert({ participant: 'mallory' }),
      alert({ participant: 'ann' }),
    ]);
    expect(who()).toEqual(['bob', 'ann']);
    expect(server.received).toHaveLength(4); // the batch, then each alone
    expect(warned()).toEqual([
      'am: Alertmanager refused the alert audio-latency-high (instance 85012345678, participant mallory): invalid label set: participant "mallory" is not allowed here; ' +
        "dropped, while the notification's other 2 alerts were taken",
    ]);
  });

  it('a lone alert refused, or every alert of a batch, is a permanent failure that says why; a 503 is retried whole', async () => {
    const { send, warned } = notifier();
    const rejected = { code: 'NOTIFY_REJECTED', retryable: false };
    // The old code said only 'am: rejected (HTTP 400)', without Alertmanager's reason.
    await expect(send([alert({ participant: 'mallory' })])).rejects.toMatchObject({
      ...rejected,
      message: 'am: rejected (HTTP 400): invalid label set: participant "mallory" is not allowed here',
    });
    expect(server.received).toHaveLength(1);
    await expect(
      send([alert({ participant: 'mallory' }), alert({ participant: 'mallory2' })]),
    ).rejects.toMatchObject({
      ...rejected,
      message:
        'am: rejected (HTTP 400): Alertmanager refused each of the 2 alerts; the first, audio-latency-high (instance 85012345678, participant mallory): ' +
        'invalid label set: participant "mallory" is not allowed here',
    });
    expect(stored).toEqual([]);
    expect(warned()).toEqual([]);
    down = true;
    try {
      server.received.length = 0;
      const err = await send([alert({ participant: 'bob' }), alert({ participant: 'mallory' })]).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NotifyError);
      expect(err).toMatchObject({ code: 'NOTIFY_SERVER_ERROR', retryable: true });
      expect(server.received).toHaveLength(1);
    } finally {
      down = false;
    }
  });

  it('names the refused alert by its participant, or by the label that tells it from the others of its rule and meeting (outside tester: "(instance 81234567001)" fit three alerts)', async () => {
    const { send, warned } = notifier();
    await send([alert({ participant: 'bob' }), alert({ participant: 'mallory' })]);
    // The old code said "audio-latency-high (instance 85012345678)", as for bob, and "other 1 were taken".
    expect(warned()).toEqual([
      'am: Alertmanager refused the alert audio-latency-high (instance 85012345678, participant mallory): invalid label set: participant "mallory" is not allowed here; ' +
        "dropped, while the notification's other alert was taken",
    ]);
    // Shared-cause alerts of one meeting: no participant, their group label sets them apart.
    const group = (location: string): Alert => {
      const a = alert({ rule: 'shared-isp', participant: location });
      const labels = Object.entries(a.labels).filter(([k]) => k !== 'participant');
      return { ...a, labels: { ...Object.fromEntries(labels), location } };
    };
    await send([group('berlin'), group('mallory-office'), group('paris')]);
    expect(warned()[1]).toMatch(
      /^am: Alertmanager refused the alert shared-isp \(instance 85012345678, location mallory-office\): .*; dropped, while the notification's other 2 alerts were taken$/,
    );
  });

  it('warns of a refused alert once, though each reminder posts it again and counts it; again when the reason changes, or after it was taken or ended (outside tester: warned every minute)', async () => {
    const { send, warned } = notifier();
    const three = ['bob', 'mallory', 'ann'].map((participant) => alert({ participant }));
    const refusedOnce = { refused: ['NOTIFY_REJECTED'] };
    // The first notification and two reminders (a minute apart, each a notification of its own).
    for (let i = 0; i < 3; i++) expect(await send(three)).toEqual(refusedOnce);
    expect(requests().filter((r) => r.join() === 'mallory')).toHaveLength(3); // still posted each time
    // The old code warned three times.
    expect(warned()).toHaveLength(1);
    note = ' (since 0.27)';
    expect(await send(three)).toEqual(refusedOnce);
    expect(await send(three)).toEqual(refusedOnce);
    expect(warned()).toHaveLength(2);
    expect(warned()[1]).toContain('is not allowed here (since 0.27); dropped');
    forgiven = true;
    expect(await send(three)).toBeUndefined();
    forgiven = false;
    expect(await send(three)).toEqual(refusedOnce);
    expect(warned()).toHaveLength(3);
    // Posted resolved (refused as well, said before): a new firing of it is warned about again.
    const ended = { ...three[1]!, state: 'resolved' as const, resolvedAt: NOW };
    expect(await send([three[0]!, ended])).toEqual(refusedOnce);
    expect(warned()).toHaveLength(3);
    expect(await send(three)).toEqual(refusedOnce);
    expect(warned()).toHaveLength(4);
  });
});

describe("alertmanager notifier: Alertmanager's reason for a refusal", () => {
  it('is one line of 300 characters at most, and a configured header value is never in it', async () => {
    const { send } = notifier();
    const err = (await send([alert({ participant: 'eve' })]).catch((e: unknown) => e)) as NotifyError;
    // The old code said 'am: rejected (HTTP 400)' and nothing of the answer.
    expect(err.message).toMatch(
      /^am: rejected \(HTTP 400\): bad alert {2}from a client sending \[redacted\]; xxx/,
    );
    expect(err.message).not.toContain('s3cr3t');
    expect(err.message).not.toMatch(/\p{Cc}/u);
    expect(err.message.endsWith('x...')).toBe(true);
    expect(err.message.length).toBe('am: rejected (HTTP 400): '.length + 303);
  });

  it('nor a form of it (base64) cut short at the 300th character (stop 39)', async () => {
    const { send } = notifier();
    const err = (await send([alert({ participant: 'frank' })]).catch((e: unknown) => e)) as NotifyError;
    // The old code: `... b64=czNjcjN0LXQw...`: the cut form, which the log no longer knows.
    expect(err.message).toBe(`am: rejected (HTTP 400): ${'x'.repeat(280)} b64=[redacted]`);
  });
});

/** A dispatcher whose one receiver, am, posts to the fake Alertmanager; one group for all alerts. */
function dispatcherIn(dir: string, clock: VirtualClock): { d: Dispatcher; warned: () => string[] } {
  const store = new NotifyStore(dir, undefined, clock.now());
  const { log, lines } = captureLog();
  const timing = { groupWaitMs: 0, groupIntervalMs: 10_000, repeatIntervalMs: 3_600_000 };
  const d = testDispatcher({
    route: { ...routeAll('am', timing), groupBy: ['alertname'] },
    receivers: receiversOf({
      am: alertmanagerNotifier.create(
        { url: server.url, endsAfterMs: 5 * 60_000 },
        { name: 'am', clock, log, memory: store.memory('am') },
      ),
    }),
    clock,
    store,
  });
  return { d, warned: () => lines.filter((l) => l.level === 40).map((l) => l.msg) };
}
const failed = (d: Dispatcher): Record<string, number> =>
  Object.fromEntries(d.stats.failed.get('am') ?? new Map<string, number>());

describe('alertmanager notifier: a split notification in the outbox', () => {
  it('counts each alert refused and dropped in qoswatch_notifications_failed_total', async () => {
    const clock = new VirtualClock(NOW);
    const { d } = dispatcherIn(mkdtempSync(join(tmpdir(), 'qw-am-split-')), clock);
    const three = ['bob', 'mallory', 'ann'].map((participant) => alert({ participant }));
    d.ingest(changes(...three));
    await d.tick();
    expect(who()).toEqual(['bob', 'ann']);
    expect(d.stats.sent.get('am')).toBe(1);
    // The old code counted nothing: mallory's alert was dropped unseen by the metric.
    expect(failed(d)).toEqual({ NOTIFY_REJECTED: 1 });
  });

  it('retries only the alerts Alertmanager has not taken, across a restart too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-am-split-'));
    const clock = new VirtualClock(NOW);
    const three = ['bob', 'mallory', 'carol'].map((participant) => alert({ participant }));
    failing.add('carol');
    let { d } = dispatcherIn(dir, clock);
    d.ingest(changes(...three));
    await d.tick();
    // The batch refused for mallory; bob taken alone, mallory refused, carol 503: to be retried.
    expect(requests()).toEqual([['bob', 'mallory', 'carol'], ['bob'], ['mallory'], ['carol']]);
    expect(failed(d)).toEqual({ NOTIFY_SERVER_ERROR: 1 });
    expect(d.outboxDepth).toBe(1);
    // A retry in the same run: carol is still down, and only carol is posted again.
    clock.advance(5_000);
    await d.tick();
    expect(requests().slice(4)).toEqual([['carol']]);
    // A restart (the outbox and what the split kept are in notify.json), carol up again.
    failing.clear();
    clock.advance(5_000);
    const again = dispatcherIn(dir, clock);
    d = again.d;
    d.seed(three);
    await d.tick();
    // The old code posted the whole batch again, then each alone: bob was sent 3 times, mallory's
    // refusal 3 times. Now carol alone, once more.
    expect(requests().slice(5)).toEqual([['carol']]);
    expect(who()).toEqual(['bob', 'carol']);
    expect(d.outboxDepth).toBe(0);
    expect(failed(d)).toEqual({ NOTIFY_REJECTED: 1 });
    expect(again.warned()).toEqual([
      'am: Alertmanager refused the alert audio-latency-high (instance 85012345678, participant mallory): invalid label set: participant "mallory" is not allowed here; ' +
        "dropped, while the notification's other 2 alerts were taken",
    ]);
    // What the split kept went with the notification: notify.json and its journal, as a start
    // reads them (written whole again: a start writes notify.json whole).
    new NotifyStore(dir).save();
    const saved = JSON.parse(readFileSync(join(dir, 'notify.json'), 'utf8')) as { notifiers: object };
    expect(saved.notifiers).toEqual({ am: {} });
  });
});
