import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../src/util/package-root.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';

const SECRET = 'kill-secret';
const ROUNDS = 8;

/** A seeded generator: the same kill instants on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * A receiver in a process of its own (webhook-child.mjs), running the built tree `built`. Without
 * it (no `npm run build`), it fails saying so before starting the child, which would only exit
 * before listening.
 */
function start(dir: string, built = fromRoot('dist')): Promise<{ url: string; kill: () => Promise<void> }> {
  const receiver = join(built, 'src', 'poll', 'webhooks', 'receiver.js');
  if (!existsSync(receiver))
    return Promise.reject(
      new Error(
        `${receiver} is missing: the kill loop's receiver runs the built code (dist/); npm run build first (npm test does)`,
      ),
    );
  const child = spawn(
    process.execPath,
    [fromRoot('test', 'helpers', 'webhook-child.mjs'), dir, SECRET, built],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /^(http\S+)\n/.exec(out)?.[1];
      if (url)
        resolve({
          url,
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
    });
    child.on('error', reject);
    // A child that dies before saying where it listens (a broken build, say) fails the test at
    // once, its stderr above, instead of leaving it waiting until its timeout.
    void exited.then(() => reject(new Error(`the receiver exited before listening: ${out}`)));
  });
}

describe('the webhook receiver killed at random instants', () => {
  // Old code, without dist/: "the receiver exited before listening: " and nothing more.
  it('says to build first when the built receiver is missing', async () => {
    const built = join(mkdtempSync(join(tmpdir(), 'qw-kill-webhooks-')), 'dist');
    const receiver = join(built, 'src', 'poll', 'webhooks', 'receiver.js');
    await expect(start(built, built)).rejects.toThrow(
      `${receiver} is missing: the kill loop's receiver runs the built code (dist/); npm run build first (npm test does)`,
    );
  });

  it(`hands on every event it acknowledged, across ${ROUNDS} SIGKILLs`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-kill-webhooks-'));
    const rand = lcg(15);
    const acked = new Set<string>();
    let sent = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const child = await start(dir);
      // The kill lands after a random number of acknowledgements plus a random few ms: mid-
      // request, mid-fsync or mid-hand-on, wherever the receiver is then.
      const killAt = 5 + Math.floor(rand() * 60);
      const extraMs = Math.floor(rand() * 6);
      let ackedThisRound = 0;
      let dead = false;
      let killed: Promise<void> | undefined;
      const inflight: Promise<void>[] = [];
      for (let i = 0; i < 1000 && !dead; i++) {
        const id = `${round}-${i}`;
        const body = JSON.stringify({
          event: 'meeting.participant_qos',
          payload: { object: { uuid: 'k==', participant: { user_id: id, qos: [] } } },
        });
        sent++;
        inflight.push(
          post(child.url, body, zoomHeaders(SECRET, body, Date.now())).then(
            (a) => {
              if (a.status !== 200) return;
              acked.add(id);
              if (++ackedThisRound === killAt)
                killed = new Promise((r) => setTimeout(r, extraMs)).then(() => child.kill());
            },
            () => {
              dead = true; // killed mid-request: not acknowledged
            },
          ),
        );
        if (inflight.length % 8 === 0) await Promise.all(inflight.slice(-8));
        if (killed) dead = true;
      }
      await Promise.all(inflight);
      await (killed ?? child.kill());
    }
    // A last start hands on whatever the spool kept (before it prints its address).
    const last = await start(dir);
    await last.kill();
    const handed = readFileSync(join(dir, 'handed.log'), 'utf8').split('\n').filter(Boolean);
    const handedSet = new Set(handed);
    const lost = [...acked].filter((id) => !handedSet.has(id));
    console.log(
      `kill loop: ${sent} sent, ${acked.size} acknowledged, ${handed.length} handed on (${handed.length - handedSet.size} twice), ${lost.length} lost`,
    );
    expect(acked.size).toBeGreaterThan(ROUNDS * 5);
    expect(lost).toEqual([]);
    // Nine receiver processes started and some 250 fsynced requests: 43 s at load 24, against
    // vitest's default 60 s.
  }, 240_000);
});
