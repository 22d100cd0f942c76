import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PushPaths } from '../../../src/poll/webhooks/push-paths.js';
import { PushedPresence } from '../../../src/poll/webhooks/pushed-presence.js';
import { Spool } from '../../../src/poll/webhooks/spool.js';
import { StateFiles } from '../../../src/util/state-files.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'qw-spool-'));
const rec = (i: number): { at: number; app: string; body: string } => ({
  at: i,
  app: 'main',
  body: `{"n":${i},"s":"a\\nb"}`,
});

describe('the webhook spool', () => {
  it('gives back, after a restart, every record appended and not marked done, in order', async () => {
    const d = dir();
    const s = new Spool(d);
    const ends = await Promise.all([1, 2, 3, 4, 5].map((i) => s.append(rec(i))));
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    s.markDone(ends[1]!);
    await s.close();
    const again = new Spool(d);
    expect(again.recovered.map((e) => e.record)).toEqual([3, 4, 5].map(rec));
    expect(again.recovered.at(-1)!.end).toBe(ends[4]);
    await again.close();
  });

  it('drops a torn last line (written, never fsynced, never acknowledged) and keeps appending after it', async () => {
    const d = dir();
    const s = new Spool(d);
    await s.append(rec(1));
    await s.close();
    appendFileSync(join(d, 'webhooks.spool'), '{"at":2,"app":"main","bo');
    const again = new Spool(d);
    expect(again.recovered.map((e) => e.record)).toEqual([rec(1)]);
    await again.append(rec(3));
    await again.close();
    expect(new Spool(d).recovered.map((e) => e.record)).toEqual([rec(1), rec(3)]);
  });

  it('skips a damaged line in the middle and an offset file that lies', async () => {
    const d = dir();
    const s = new Spool(d);
    await s.append(rec(1));
    await s.close();
    appendFileSync(join(d, 'webhooks.spool'), 'garbage\n');
    appendFileSync(join(d, 'webhooks.spool.done'), 'not json');
    const again = new Spool(d);
    await again.append(rec(2));
    expect(again.recovered.map((e) => e.record)).toEqual([rec(1)]);
    await again.close();
  });

  it('empties itself once everything is handed on and it has grown past the compaction size', async () => {
    const d = dir();
    const s = new Spool(d, 200);
    let end = 0;
    for (let i = 0; i < 10; i++) end = await s.append(rec(i));
    expect(statSync(s.file).size).toBe(end);
    s.markDone(end);
    expect(s.diskSize()).toBe(end); // the offset is saved at most once a second, or at close
    await s.close();
    const s2 = new Spool(d, 200);
    expect(s2.recovered).toEqual([]);
    expect(s2.diskSize()).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'webhooks.spool.done'), 'utf8'))).toEqual({ done: 0 });
    const e2 = await s2.append(rec(99));
    await s2.close();
    const again = new Spool(d, 200);
    expect(again.recovered).toEqual([{ record: rec(99), end: e2 }]);
    await again.close();
  });

  it('asks beforeDone again when it says in how many ms, the offset on disk kept until it says yes', async () => {
    const d = dir();
    const s = new Spool(d, undefined, undefined, 0);
    const offsetFile = join(d, 'webhooks.spool.done');
    const seen: string[] = [];
    let ready!: () => void;
    const yes = new Promise<void>((resolve) => (ready = resolve));
    s.beforeDone = () => {
      seen.push(existsSync(offsetFile) ? readFileSync(offsetFile, 'utf8').trim() : 'none');
      if (seen.length < 3) return 1;
      ready();
      return true;
    };
    const end = await s.append(rec(1));
    s.markDone(end);
    await yes;
    await new Promise(setImmediate);
    expect(seen).toEqual(['none', 'none', 'none']);
    expect(JSON.parse(readFileSync(offsetFile, 'utf8'))).toEqual({ done: end });
    await s.close();
  });
});

describe('the webhook spool while pushed.json cannot be written', () => {
  it('releases the records older than the restore window, stays bounded, and a restart still restores the recent pushes', async () => {
    const d = dir();
    const WINDOW = 60_000;
    const T0 = Date.parse('2026-12-05T12:00:00Z');
    const ref = { kind: 'meeting' as const, id: '1', uuid: 'p==', topic: 'T' };
    let now = T0;
    mkdirSync(join(d, 'pushed.json')); // its name taken by a folder: every write fails
    const files = new StateFiles();
    const presence = new PushedPresence(d, files, WINDOW, () => now);
    const paths = new PushPaths(3 * 60_000);
    const s = new Spool(d, 4096, files, 0);
    let asked: (() => void) | undefined;
    s.beforeDone = (final) => {
      const r = presence.save(paths, now, final);
      asked?.();
      return r;
    };
    s.releaseAfter = { now: () => now, ms: WINDOW };
    // Resolves once the spool has asked beforeDone again (and so released what it could).
    const asksAgain = (): Promise<void> => new Promise((resolve) => (asked = resolve));
    let cut = false;
    let recLen = 0;
    let last = 0;
    // One push a second for 5 windows.
    for (let i = 0; i < 300; i++) {
      now = T0 + i * 1000;
      const end = await s.append({ at: now, app: 'main', body: JSON.stringify({ p: `participant-${i}` }) });
      paths.pushed(ref, now, [`participant-${i}`]);
      s.markDone(end);
      await asksAgain();
      if (s.diskSize() < end) cut = true;
      recLen = Math.max(recLen, end - last);
      last = s.diskSize();
      // Bounded: cut once the released part is half of it, so about twice the window's records
      // (61 of them); the 300 records appended are about 2.5 times that.
      expect(s.diskSize()).toBeLessThanOrEqual(Math.max(4096, 2 * 62 * recLen));
    }
    expect(cut).toBe(true);
    expect(files.failures.get('pushed.json')).toBeGreaterThan(0);
    const done = (JSON.parse(readFileSync(join(d, 'webhooks.spool.done'), 'utf8')) as { done: number }).done;
    expect(done).toBeGreaterThan(0);
    await s.close();

    // A restart: nothing from pushed.json, the spool hands on its records again.
    const again = new Spool(d, 4096, new StateFiles(), 0);
    const replayed = again.recovered.map((e) => (JSON.parse(e.record.body) as { p: string }).p);
    const after = new PushPaths(3 * 60_000);
    expect(new PushedPresence(d, new StateFiles(), WINDOW).load(after, now)).toBe(0);
    for (const e of again.recovered)
      after.pushed(ref, e.record.at, [(JSON.parse(e.record.body) as { p: string }).p]);
    const recent = Array.from({ length: 61 }, (_, k) => `participant-${299 - k}`);
    expect(after.pushedSince('meeting:p==', now - WINDOW).sort()).toEqual(recent.sort());
    // Not the whole history: what is older than the window (and a second of marks) was released.
    expect(replayed.length).toBeLessThanOrEqual(62);
    await again.close();
  });
});
