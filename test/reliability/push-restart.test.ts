import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoomTime } from '../../src/util/zoom-time.js';
import { printed, startCli } from '../helpers/cli.js';
import { seeded, Storm, waitFor, wallSleep } from '../helpers/storm.js';
import { post, zoomHeaders } from '../helpers/zoom-webhook.js';

/**
 * A real `qoswatch run` process with Zoom's QSS webhooks on, stopped again and again at random
 * instants (seeded; SIGTERM or SIGKILL, the first a SIGTERM) while Zoom pushes the QoS of a
 * participant whom the meeting's QoS list never names (hT44 F6: Zoom's list lagging pushes by
 * minutes), and started on the same state directory. Her latency alert fires at her first
 * pushes. Each start polls before any new push: before, that poll took her as gone (a resolve
 * `left` was paged) and her next push paged a new firing. Now every restart keeps her: one page.
 */

const SECRET = 'push-restart-secret-token';
const UUID = 'pushed-restart==';
const PUSHED = '99000001';
const RESTARTS = 8;
const MIN = 60_000;

const seed = Number(process.env.QOSWATCH_RESTART_SEED ?? Math.floor(Math.random() * 2 ** 31));
const random = seeded(seed);
const storm = new Storm({
  qos_window: '30m',
  meetings: [
    {
      id: 86400000001,
      uuid: UUID,
      topic: 'Pushed restart',
      start: '0m',
      end: '3h',
      participants: [{ key: 'bob', user_id: '2001', name: 'Bob', device: 'Windows', network_type: 'Wired' }],
    },
  ],
});

beforeAll(async () => storm.start());
afterAll(async () => storm.close());

let pushesMade = 0;

/**
 * Her QoS event now: audio at 450 ms for this minute and the two before (Zoom's clock is this
 * machine's). Each one its own `event_ts`: two alike in one second would be a replay (409).
 */
function qosBody(now: number): string {
  const minute = now - (now % MIN);
  return JSON.stringify({
    event: 'meeting.participant_qos',
    event_ts: now + (pushesMade++ % 1000),
    payload: {
      account_id: 'acct',
      object: {
        uuid: UUID,
        id: 86400000001,
        participant: {
          user_id: PUSHED,
          participant_user_id: 'u-pia',
          user_name: 'Pia Pushed',
          qos: [2, 1, 0].flatMap((back) =>
            ['audio_input', 'audio_output'].map((type) => ({
              date_time: zoomTime(minute - back * MIN),
              type,
              details: {
                bitrate: '60 kbps',
                latency: '450 ms',
                jitter: '5 ms',
                avg_loss: '0.0%',
                max_loss: '0.0%',
              },
            })),
          ),
        },
      },
    },
  });
}

type Running = ReturnType<typeof startCli>;

const cycles = (p: Running): number => p.output().split('"msg":"cycle:').length - 1;

/** Starts the daemon and waits until it receives webhooks; its /zoom/qss URL. */
async function start(config: string): Promise<{ p: Running; url: string }> {
  const p = startCli(['run', '--config', config], { QW_TEST_QSS_SECRET: SECRET });
  const [, base] = await printed(p, /receiving Zoom webhooks on (http:\/\/[^\s"]+)/);
  return { p, url: `${base}/zoom/qss` };
}

/** `n` pushes sent together; resolves with how many were answered 200 (a kill may cut some off). */
async function push(
  url: string,
  n: number,
  onAnswer: (ok: number) => void = () => undefined,
): Promise<number> {
  let ok = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const body = qosBody(Date.now());
      const a = await post(url, body, zoomHeaders(SECRET, body, Date.now())).catch(() => undefined);
      if (a?.status === 200) onAnswer(++ok);
    }),
  );
  return ok;
}

describe('restarts while Zoom pushes a participant its QoS list leaves out', () => {
  it(`neither resolve her alert nor page it again (seed ${seed})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-push-restart-'));
    const config = storm.writeConfig(
      dir,
      'webhooks:\n  listen: 127.0.0.1:0\n  apps:\n    - name: qss\n      path: /zoom/qss\n      secret_token: ${QW_TEST_QSS_SECRET}\n',
    );
    const sent = (): string[] => {
      const seen = new Set<string>();
      return storm.deliveries
        .filter((d) => !seen.has(d.id) && seen.add(d.id))
        .flatMap((d) => d.alerts.filter((a) => a.id.endsWith(`/${PUSHED}`)).map((a) => a.status));
    };
    let { p, url } = await start(config);
    try {
      await waitFor('the first cycle', () => cycles(p) > 0, 30_000);
      expect(await push(url, 2)).toBe(2);
      await waitFor('her alert paged', () => sent().length > 0, 30_000);

      const stops: string[] = [];
      for (let n = 0; n < RESTARTS; n++) {
        const signal = n === 0 || random() < 0.5 ? 'SIGTERM' : 'SIGKILL';
        const when = random();
        if (when < 0.4) {
          // Pushes in flight: stopped once a random one of them is answered.
          const after = 1 + Math.floor(random() * 4);
          stops.push(`${signal} after push ${after}`);
          await push(url, 4, (ok) => ok === after && p.child.kill(signal));
          if (!p.child.killed) p.child.kill(signal); // fewer answered than `after`
        } else {
          // Some time after taking pushes in: mid-cycle, mid-save, or while idle.
          await push(url, 1 + Math.floor(random() * 3));
          const ms = Math.floor(random() * 1500);
          stops.push(`${signal} ${ms} ms after pushes`);
          await wallSleep(ms);
          p.child.kill(signal);
        }
        await p.exited;
        ({ p, url } = await start(config));
        // The first poll after the start, before any push (where the old code resolved her).
        await waitFor('a cycle after the restart', () => cycles(p) > 0, 30_000);
      }
      expect(await push(url, 2)).toBe(2);
      const before = cycles(p);
      await waitFor('one more cycle', () => cycles(p) > before, 30_000);
      await wallSleep(1500); // group_wait 1s: a page the last cycle raised goes out
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      console.log(`push restarts (seed ${seed}): ${stops.join(', ')}; her pages ${JSON.stringify(sent())}`);
      // Old code: firing, resolved, firing, resolved... (resolved `left` at each start's first poll).
      expect(sent(), `restarts ${stops.join(', ')} (seed ${seed})`).toEqual(['firing']);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 480_000);
});
