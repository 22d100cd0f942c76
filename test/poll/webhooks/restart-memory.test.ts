import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../../src/normalize/events.js';
import { WebhookReceiver } from '../../../src/poll/webhooks/receiver.js';
import { BUCKET_MS, REDELIVERY_WINDOW_MS, ReplayGuard } from '../../../src/poll/webhooks/replay-guard.js';
import { SeenStore } from '../../../src/poll/webhooks/seen-store.js';
import { Spool } from '../../../src/poll/webhooks/spool.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { StateFiles } from '../../../src/util/state-files.js';
import { captureLog } from '../../helpers/log.js';
import { startWebhooks, webhookSettings, type Started } from '../../helpers/webhooks-service.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';

const SECRET = 'restart-secret';
const MIN = 60_000;
const T0 = Date.parse('2026-12-01T12:00:00Z');
const settings = webhookSettings(SECRET);

/** One QoS event of participant `p` for the minute `minute` after T0. */
function qos(p: string, minute: number): string {
  return JSON.stringify({
    event: 'meeting.participant_qos',
    event_ts: T0 + minute * MIN,
    payload: {
      account_id: 'A',
      object: {
        uuid: 'restart==',
        participant: {
          user_id: p,
          participant_user_id: `u-${p}`,
          qos: [
            {
              date_time: new Date(T0 + minute * MIN).toISOString().replace('.000Z', 'Z'),
              type: 'audio_input',
              details: {
                bitrate: '63 kbps',
                latency: '134 ms',
                jitter: '6 ms',
                avg_loss: '0.0%',
                max_loss: '0.0%',
              },
            },
          ],
        },
      },
    },
  });
}

const open: Started[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.w.receiver.close().catch(() => undefined);
});
const start = async (dir: string, clock: VirtualClock): Promise<Started> => {
  const s = await startWebhooks(dir, clock, settings);
  open.push(s);
  return s;
};

const samplesIn = (events: PipelineEvent[]): number =>
  events.reduce((n, e) => n + (e.type === 'samples' ? e.samples.length : 0), 0);

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

describe('the memory of webhook requests across a restart', () => {
  it('after a graceful stop, refuses a replay and answers Zoom’s redeliveries at +5, +20 and +60 minutes without handing them on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-seen-'));
    const clock = new VirtualClock(T0);
    const a = await start(dir, clock);
    const first = qos('1', 0);
    const firstHeaders = zoomHeaders(SECRET, first, clock.now());
    expect((await post(a.url, first, firstHeaders)).status).toBe(200);
    await settle();
    expect(samplesIn(a.events)).toBe(1);
    await a.w.close();
    expect(readdirSync(join(dir, 'webhooks')).filter((f) => f.startsWith('seen-'))).not.toEqual([]);

    clock.advanceTo(T0 + MIN);
    const b = await start(dir, clock);
    // The same request again (same timestamp, same signature): a replay.
    const replay = await post(b.url, first, firstHeaders);
    expect(replay).toEqual({ status: 409, body: '{"error":"replay"}' });
    for (const after of [5, 20, 60]) {
      clock.advanceTo(T0 + after * MIN);
      const again = await post(b.url, first, zoomHeaders(SECRET, first, clock.now()));
      expect(again).toEqual({ status: 200, body: '{"status":"duplicate"}' });
    }
    // Something new is still taken.
    const other = qos('2', 60);
    expect((await post(b.url, other, zoomHeaders(SECRET, other, clock.now()))).status).toBe(200);
    await settle();
    expect(samplesIn(b.events)).toBe(1);
    expect(b.w.receiver.stats.outcomes.get('duplicate')).toBe(3);
    expect(b.w.receiver.stats.refused.get('replay')).toBe(1);
    await b.w.close();
  });

  it('after a crash (nothing saved but the fsynced spool), still knows every request it had acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-seen-crash-'));
    const clock = new VirtualClock(T0);
    const a = await start(dir, clock);
    const bodies = ['1', '2', '3'].map((p) => qos(p, 0));
    for (const b of bodies)
      expect((await post(a.url, b, zoomHeaders(SECRET, b, clock.now()))).status).toBe(200);
    // A kill: the listener goes, nothing is saved.
    await a.w.receiver.close();
    expect(readdirSync(join(dir, 'webhooks')).filter((f) => f.startsWith('seen-'))).toEqual([]);

    clock.advanceTo(T0 + 20 * MIN);
    const b = await start(dir, clock);
    // The spool's unfinished records are handed on again once (de-duplicated downstream), the redeliveries not.
    const handedAtStart = samplesIn(b.events);
    for (const body of bodies) {
      const again = await post(b.url, body, zoomHeaders(SECRET, body, clock.now()));
      expect(again.body).toBe('{"status":"duplicate"}');
    }
    await settle();
    expect(samplesIn(b.events)).toBe(handedAtStart);
    await b.w.close();
  });

  it('saves its memory before the spool is emptied, so a compacted spool forgets nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-seen-compact-'));
    const clock = new VirtualClock(T0);
    const a = await start(dir, clock);
    const body = qos('7', 0);
    expect((await post(a.url, body, zoomHeaders(SECRET, body, clock.now()))).status).toBe(200);
    await settle();
    await a.w.receiver.close();
    // Empty the spool the way compaction does: only after beforeCompact (the save) said yes.
    expect(a.w.spool.beforeCompact()).toBe(true);
    await a.w.spool.close();
    const spool = new Spool(join(dir, 'webhooks'));
    await spool.close();
    writeFileSync(join(dir, 'webhooks', 'webhooks.spool'), '');
    writeFileSync(join(dir, 'webhooks', 'webhooks.spool.done'), '{"done":0}\n');

    clock.advanceTo(T0 + 60 * MIN);
    const b = await start(dir, clock);
    expect((await post(b.url, body, zoomHeaders(SECRET, body, clock.now()))).body).toBe(
      '{"status":"duplicate"}',
    );
    await b.w.close();
  });

  it('forgets bodies past the redelivery window, and deletes their files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-seen-old-'));
    const clock = new VirtualClock(T0);
    const a = await start(dir, clock);
    const body = qos('9', 0);
    expect((await post(a.url, body, zoomHeaders(SECRET, body, clock.now()))).status).toBe(200);
    await a.w.close();
    clock.advanceTo(T0 + REDELIVERY_WINDOW_MS + 11 * MIN);
    const b = await start(dir, clock);
    expect(readdirSync(join(dir, 'webhooks')).filter((f) => f.startsWith('seen-'))).toEqual([]);
    expect(b.w.guard.bodyCount).toBe(0);
    await b.w.close();
  });

  it('sets a corrupt memory file aside and starts with the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-seen-corrupt-'));
    const clock = new VirtualClock(T0);
    const a = await start(dir, clock);
    const body = qos('4', 0);
    expect((await post(a.url, body, zoomHeaders(SECRET, body, clock.now()))).status).toBe(200);
    await a.w.close();
    const [file] = readdirSync(join(dir, 'webhooks')).filter((f) => f.startsWith('seen-'));
    // Empty the spool too, so only the file could remember.
    writeFileSync(join(dir, 'webhooks', 'webhooks.spool'), '');
    writeFileSync(join(dir, 'webhooks', 'webhooks.spool.done'), '{"done":0}\n');
    for (const garbage of [
      '{"version":1,"start":0,"sigs":[],"bodies":[]}',
      '{"version":1,"start":' + file!.slice(5, -5) + ',"sigs":"x","bodies":[1,"ok",{"a":1}]}',
      'not json',
      '',
    ]) {
      writeFileSync(join(dir, 'webhooks', file!), garbage);
      const b = await start(dir, clock);
      expect(b.w.guard.bodyCount).toBeLessThanOrEqual(1);
      await b.w.close();
    }
  });

  it('says a memory file`s bad entries in the singular and the plural', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-seen-words-'));
    const start = T0 - (T0 % BUCKET_MS);
    const good = 'a'.repeat(32);
    writeFileSync(
      join(dir, `seen-${start}.json`),
      JSON.stringify({ version: 1, start, sigs: [good, 'not a digest'], bodies: [good, 1, {}] }),
    );
    const { log, lines } = captureLog();
    new SeenStore(dir, new StateFiles(log)).load(new ReplayGuard(5 * MIN), T0);
    // Old code: "sigs: 1 entries that are not digests".
    expect(lines[0]!.msg).toContain(
      'discarded 2: sigs: 1 entry that is not a digest; bodies: 2 entries that are not digests',
    );
  });

  it('names digests cut by the size bound apart from entries that are not digests', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-seen-bound-'));
    const start = T0 - (T0 % BUCKET_MS);
    const d = (c: string): string => c.repeat(32);
    writeFileSync(
      join(dir, `seen-${start}.json`),
      JSON.stringify({
        version: 1,
        start,
        sigs: [d('a'), d('b'), d('c')],
        bodies: [d('a'), 1, d('b'), d('c'), d('d')],
      }),
    );
    const { log, lines } = captureLog();
    const guard = new ReplayGuard(5 * MIN);
    new SeenStore(dir, new StateFiles(log), 2).load(guard, T0);
    // Old code: "sigs: 1 entry that is not a digest; bodies: 3 entries that are not digests".
    expect(lines[0]!.msg).toContain(
      'discarded 2: sigs: 1 digest past the bound of 2 a list; bodies: 1 entry that is not a digest, 2 digests past the bound of 2 a list',
    );
    expect(guard.bodyCount).toBe(2);
  });

  it('does not remember a request the spool could not take: Zoom’s retry of it is taken, its concurrent twin refused too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-seen-503-'));
    const clock = new VirtualClock(T0);
    const guard = new ReplayGuard(2 * settings.maxAgeMs);
    const broken = new Spool(join(dir, 'a'));
    await broken.close(); // every append now fails, as on a full or gone disk
    const receiver = (spool: Spool): WebhookReceiver =>
      new WebhookReceiver(settings, { clock, log: silentLogger(), spool, guard, onRecord: () => undefined });
    const r1 = receiver(broken);
    const url1 = `${await r1.listen()}/zoom/qss`;
    const body = qos('5', 0);
    const [x, y] = await Promise.all([
      post(url1, body, zoomHeaders(SECRET, body, clock.now())),
      post(url1, body, zoomHeaders(SECRET, body, clock.now() + 1000)),
    ]);
    expect([x.status, y.status]).toEqual([503, 503]);
    await r1.close();
    const good = new Spool(join(dir, 'b'));
    const r2 = receiver(good);
    const url2 = `${await r2.listen()}/zoom/qss`;
    clock.advanceTo(T0 + 5 * MIN);
    expect(await post(url2, body, zoomHeaders(SECRET, body, clock.now()))).toEqual({
      status: 200,
      body: '{"status":"accepted"}',
    });
    await r2.close();
    await good.close();
  });
});
