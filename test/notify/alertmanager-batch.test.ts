import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import { alertmanagerNotifier } from '../../src/notify/plugins/alertmanager.js';
import { NotifyError } from '../../src/notify/plugins/errors.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { alert, NOW, notification } from '../helpers/alerts.js';
import { TestServer } from '../helpers/http-server.js';
import { captureLog } from '../helpers/log.js';

interface Posted {
  labels: Record<string, string>;
}

/**
 * A fake Alertmanager (or a proxy in front of one) on 127.0.0.1 that refuses, with a 400 and a
 * reason, every batch holding an alert of participant mallory, storing nothing of it; a 503 while
 * `down`.
 */
const stored: Posted[] = [];
let down = false;
const server = new TestServer((r, res) => {
  const batch = JSON.parse(r.body) as Posted[];
  if (down) {
    res.statusCode = 503;
    res.end('"down"');
  } else if (batch.some((a) => a.labels.participant?.startsWith('mallory'))) {
    res.statusCode = 400;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify('invalid label set: participant "mallory"\nis not allowed here'));
  } else {
    stored.push(...batch);
    res.end();
  }
});
beforeAll(() => server.listen());
afterAll(() => server.close());

function notifier(): { send: (firing: Alert[]) => Promise<void>; warned: () => string[] } {
  const { log, lines } = captureLog();
  const n = alertmanagerNotifier.create(
    { url: server.url, endsAfterMs: 5 * 60_000 },
    { name: 'am', clock: new VirtualClock(NOW), log, memory: new NotifyStore(undefined).memory('am') },
  );
  stored.length = 0;
  server.received.length = 0;
  return {
    send: (firing) => n.send(notification({ firing }), new AbortController().signal),
    warned: () => lines.filter((l) => l.level === 40).map((l) => l.msg),
  };
}
const who = (): string[] => stored.map((a) => a.labels.participant!);

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
      'am: Alertmanager refused the alert audio-latency-high (instance 85012345678): invalid label set: participant "mallory" is not allowed here; ' +
        "dropped, while the notification's other 2 were taken",
    ]);
  });

  it('a lone alert refused, or every alert of a batch, is a permanent failure, as before; a 503 is retried whole', async () => {
    const { send, warned } = notifier();
    const rejected = { code: 'NOTIFY_REJECTED', retryable: false, message: 'am: rejected (HTTP 400)' };
    await expect(send([alert({ participant: 'mallory' })])).rejects.toMatchObject(rejected);
    expect(server.received).toHaveLength(1);
    await expect(
      send([alert({ participant: 'mallory' }), alert({ participant: 'mallory2' })]),
    ).rejects.toMatchObject(rejected);
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
});
