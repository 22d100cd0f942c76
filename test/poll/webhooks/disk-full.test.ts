import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fill, mountTmpfs } from '../../helpers/small-disk.js';
import { afterAll, describe, expect, it } from 'vitest';
import { Spool } from '../../../src/poll/webhooks/spool.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { captureLog } from '../../helpers/log.js';
import { waitFor } from '../../helpers/storm.js';
import { startWebhooks, webhookSettings, type Started } from '../../helpers/webhooks-service.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';

/**
 * The webhook source with state.dir on a 64 KiB tmpfs that fills up (as
 * test/reliability/disk-full.test.ts does for polling): requests are answered 503 while the
 * spool cannot be written, the timer that saves the spool's done offset counts its failure
 * instead of throwing (an uncaught ENOSPC there killed the daemon, and again at every restart
 * with the disk still full), and everything works again once there is room.
 */

const dir = mkdtempSync(join(tmpdir(), 'qw-wh-diskfull-'));
const disk = join(dir, 'disk');
mkdirSync(disk);
const { mounted, why } = mountTmpfs(disk, '64k');
if (!mounted) console.log(`webhook disk-full test skipped: cannot mount a tmpfs (${why})`);
const open: Started[] = [];
afterAll(async () => {
  for (const s of open) await s.w.receiver.close().catch(() => undefined);
  if (mounted) execFileSync('umount', ['-l', disk]);
});

const SECRET = 'disk-full-secret';
const T0 = Date.parse('2026-12-01T12:00:00Z');
const EXAMPLE = fileURLToPath(
  new URL('../../fixtures/zoom-samples/zoomnet/webhooks/meeting.participant_qos.json', import.meta.url),
);

/** Zoom's example meeting.participant_qos, for minute `m` after T0, with a 2 KB pad. */
function event(m: number): string {
  const e = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as {
    event_ts: number;
    payload: { object: { participant: { qos: { date_time: string }[] }; pad?: string } };
  };
  e.event_ts = T0 + m * 60_000;
  e.payload.object.participant.qos[0]!.date_time = new Date(e.event_ts).toISOString().replace('.000Z', 'Z');
  e.payload.object.pad = 'x'.repeat(2048);
  return JSON.stringify(e);
}

describe('the webhook source on a full disk', () => {
  it.skipIf(!mounted)(
    'answers 503 while the spool cannot be written, survives the done-offset timer and a restart, and recovers',
    async () => {
      const clock = new VirtualClock(T0 + 30_000);
      const stateDir = join(disk, 'state');
      const settings = webhookSettings(SECRET);
      const { log, lines } = captureLog();
      const send = async (url: string, m: number) => {
        const body = event(m);
        return post(url, body, zoomHeaders(SECRET, body, clock.now()));
      };
      // The disk fills up as minute 0 is handed on, before the spool marks it done: the timer
      // that writes its done offset (next turn) then always meets a full disk. Filling it after
      // the hand-on was seen raced that timer, and on a fast machine the offset was saved first.
      const filler = join(disk, 'filler');
      let full = false;
      const fillOnce = () => {
        if (full) return;
        full = true;
        fill(filler);
      };
      const a = await startWebhooks(stateDir, clock, settings, {
        log,
        spoolSaveDelayMs: 0,
        onEvent: fillOnce,
      });
      open.push(a);
      expect((await send(a.url, 0)).status).toBe(200);
      await waitFor('minute 0 handed on', () => a.events.length > 0);
      expect(full).toBe(true);
      const refused = [];
      for (let m = 1; m <= 5; m++) refused.push(await send(a.url, m));
      expect(refused.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
      expect(refused[0]!.body).toContain('spool_error');
      expect(a.w.receiver.stats.refused.get('spool_error')).toBe(5);
      // The spool failure is logged once for the five refusals.
      expect(lines.filter((l) => l.msg.startsWith('cannot write the webhook spool'))).toHaveLength(1);

      // The done offset of minute 0 is saved by a timer: on this full disk the write before it
      // (the pushed participants, pushed.json) fails, is counted and kept for retry, and the
      // offset stays back (it threw an uncaught ENOSPC before).
      await waitFor('the done offset write failing', () => a.files.failures.has('pushed.json'));
      expect(a.files.unsavedFiles.some((f) => f.endsWith('pushed.json'))).toBe(true);

      // A restart with the disk still full: minute 0 (its done offset never saved) is handed on
      // again and its done offset fails again, counted, not thrown.
      await a.w.receiver.close();
      const b = await startWebhooks(stateDir, clock, settings, { log, spoolSaveDelayMs: 0 });
      open.push(b);
      await waitFor('minute 0 handed on again', () => b.events.length > 0);
      await waitFor('the done offset failing again', () => b.files.failures.has('pushed.json'));
      expect((await send(b.url, 1)).status).toBe(503);

      // Room again: Zoom's retry is accepted, the done offset is written by the retry.
      rmSync(filler);
      clock.advance(60_000);
      const retried = await send(b.url, 1);
      expect(retried.status).toBe(200);
      expect(retried.body).toContain('accepted');
      expect(lines.some((l) => l.msg === 'the webhook spool is written again')).toBe(true);
      await waitFor('minute 1 handed on', () => b.events.length > 1);
      b.files.retry();
      await waitFor('the done offset written', () => b.files.unsavedFiles.length === 0);
      await b.w.close();
      open.splice(0);
      expect(b.w.spool.backlogBytes).toBe(0);
      // Everything handed on is marked so on disk: a third start hands nothing on again.
      const again = new Spool(join(stateDir, 'webhooks'));
      expect(again.recovered).toEqual([]);
      await again.close();
    },
  );
});
