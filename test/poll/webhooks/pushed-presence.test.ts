import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PushPaths } from '../../../src/poll/webhooks/push-paths.js';
import {
  PUSHED_BYTES_PER_SECOND,
  PushedPresence,
  type SaveResult,
} from '../../../src/poll/webhooks/pushed-presence.js';
import { StateFiles } from '../../../src/util/state-files.js';
import { captureLog } from '../../helpers/log.js';

const MIN = 60_000;
const T0 = Date.parse('2026-12-05T12:00:00Z');
const KEEP = 5 * MIN;
const ref = { kind: 'meeting' as const, id: '1', uuid: 'p==', topic: 'T' };
const KEY = 'meeting:p==';

/** A fresh PushPaths (3-minute takeover) restored from `dir`, and how many pushes it loaded. */
function restarted(dir: string, now: number, files = new StateFiles()): { paths: PushPaths; loaded: number } {
  const paths = new PushPaths(3 * MIN);
  const loaded = new PushedPresence(dir, files, KEEP).load(paths, now);
  return { paths, loaded };
}

describe('the pushed participants kept across a restart (state.dir/webhooks/pushed.json)', () => {
  it('restores the pushes within gap_tolerance, without putting the instance on the push path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-pushed-'));
    const paths = new PushPaths(3 * MIN);
    const store = new PushedPresence(dir, new StateFiles(), KEEP);
    paths.pushed(ref, T0, ['ann', 'bob']);
    paths.pushed(ref, T0 + 2 * MIN, ['ann']);
    expect(store.save(paths, T0 + 2 * MIN)).toBe(true);
    const { paths: after, loaded } = restarted(dir, T0 + 6 * MIN);
    // Bob's push is 6 minutes old: past gap_tolerance, not kept.
    expect(loaded).toBe(1);
    expect(after.pushedSince(KEY, T0 + 6 * MIN - KEEP)).toEqual(['ann']);
    expect(after.instances()).toEqual([]);
    expect(after.peek(KEY, T0 + 6 * MIN)).toBe('poll');
  });

  it('writes only when a push, a leave or an end changed them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-pushed-writes-'));
    const paths = new PushPaths(3 * MIN);
    const store = new PushedPresence(dir, new StateFiles(), KEEP, () => Infinity);
    paths.pushed(ref, T0, ['ann']);
    store.save(paths, T0);
    writeFileSync(join(dir, 'pushed.json'), 'untouched');
    store.save(paths, T0 + 1000);
    expect(readFileSync(join(dir, 'pushed.json'), 'utf8')).toBe('untouched');
    paths.left(KEY, 'ann');
    store.save(paths, T0 + 2000);
    expect(JSON.parse(readFileSync(join(dir, 'pushed.json'), 'utf8'))).toEqual({ version: 1, pushes: [] });
  });

  it('takes a time ahead of this machine’s clock as now, never later', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-pushed-ahead-'));
    const at = T0 + 60 * MIN;
    writeFileSync(
      join(dir, 'pushed.json'),
      JSON.stringify({ version: 1, pushes: [{ instance: KEY, participant: 'ann', at }] }),
    );
    const { paths } = restarted(dir, T0);
    expect(paths.pushedSince(KEY, T0)).toEqual(['ann']);
    expect(paths.pushedSince(KEY, T0 + 1)).toEqual([]);
  });

  it('starts without it when the file is missing (an older qoswatch) or damaged, setting a damaged one aside', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-pushed-bad-'));
    expect(restarted(dir, T0).loaded).toBe(0);
    const { log, lines } = captureLog();
    writeFileSync(
      join(dir, 'pushed.json'),
      JSON.stringify({
        version: 1,
        pushes: [{ instance: KEY, participant: 'ann', at: T0 }, { instance: KEY, at: 'x' }, 'junk'],
      }),
    );
    expect(restarted(dir, T0, new StateFiles(log)).loaded).toBe(1);
    expect(lines.map((l) => l.msg).join('\n')).toContain('discarded 2');
    writeFileSync(join(dir, 'pushed.json'), '{"version":2,"pushes":[]}');
    expect(restarted(dir, T0, new StateFiles(log)).loaded).toBe(0);
    expect(readdirSync(dir).some((f) => f.startsWith('pushed.json.corrupt-'))).toBe(true);
  });

  it('waits the last write’s size at PUSHED_BYTES_PER_SECOND before the next, and writes at once when the spool closes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-pushed-pace-'));
    const file = join(dir, 'pushed.json');
    const paths = new PushPaths(3 * MIN);
    let pace = 0;
    const store = new PushedPresence(dir, new StateFiles(), KEEP, () => pace);
    const many = Array.from({ length: 3000 }, (_, i) => `u-${i}`);
    paths.pushed(ref, T0, many);
    expect(store.save(paths, T0)).toBe(true);
    const size = statSync(file).size;
    const dueMs = (size / PUSHED_BYTES_PER_SECOND) * 1000;
    expect(dueMs).toBeGreaterThan(200); // about 160 KB: over half a second
    paths.pushed(ref, T0 + 1000, ['ann']);
    pace = 100;
    // Not yet: the spool's done offset waits with it (the ms until it may be written).
    expect(store.save(paths, T0 + 1000)).toBe(Math.ceil(dueMs - 100));
    expect(statSync(file).size).toBe(size);
    pace = dueMs;
    expect(store.save(paths, T0 + 1000)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('"ann"');
    paths.left(KEY, 'ann');
    pace = dueMs + 1;
    expect(typeof store.save(paths, T0 + 2000)).toBe('number');
    expect(store.save(paths, T0 + 2000, true)).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain('"ann"');
  });

  it('says once by reason, and counts, a pushed.json that cannot be written (it holds the spool’s done offset)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-pushed-unwritable-'));
    // Not a full disk: the file's name taken by a folder (the rename over it fails).
    mkdirSync(join(dir, 'pushed.json', 'x'), { recursive: true });
    const { log, lines } = captureLog();
    const files = new StateFiles(log);
    const paths = new PushPaths(3 * MIN);
    let pace = 0;
    const store = new PushedPresence(dir, files, KEEP, () => pace);
    paths.pushed(ref, T0, ['Ann Example']);
    expect(store.save(paths, T0)).toBe(false);
    paths.pushed(ref, T0 + 1000, ['Ann Example']);
    pace = 1000;
    expect(store.save(paths, T0 + 1000)).toBe(false);
    expect(files.failures.get('pushed.json')).toBe(2);
    const held = lines.filter((l) => l.msg.includes("spool's done offset waits"));
    expect(held).toHaveLength(1);
    expect(held[0]!.msg).toMatch(/pushed\.json, which cannot be written \((EISDIR|ENOTEMPTY|EEXIST)\)/);
    expect(JSON.stringify(lines)).not.toContain('Ann Example');
  });

  it('paces failed attempts like written ones (by the size attempted), and StateFiles.retry() leaves them alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-pushed-failpace-'));
    const files = new StateFiles();
    let pace = 0;
    const store = new PushedPresence(dir, files, KEEP, () => pace);
    const paths = new PushPaths(3 * MIN);
    paths.pushed(
      ref,
      T0,
      Array.from({ length: 20_000 }, (_, i) => `participant-${i}`),
    );
    expect(store.save(paths, T0)).toBe(true);
    const size = statSync(join(dir, 'pushed.json')).size;
    const paceMs = (size / PUSHED_BYTES_PER_SECOND) * 1000;
    expect(paceMs).toBeGreaterThan(5000);
    // The file's name taken by a folder: every attempt writes the temp file whole, then fails.
    rmSync(join(dir, 'pushed.json'));
    mkdirSync(join(dir, 'pushed.json'));
    const results: SaveResult[] = [];
    for (let s = 1; s <= 60; s++) {
      pace = s * 1000;
      paths.pushed(ref, T0 + s * 1000, [`participant-${s}`]);
      results.push(store.save(paths, T0 + s * 1000)); // the spool, once a second
      files.retry(); // the daemon's cycle
    }
    const attempts = files.failures.get('pushed.json') ?? 0;
    expect(attempts).toBe(results.filter((r) => r === false).length);
    expect(attempts).toBeGreaterThanOrEqual(Math.floor(60_000 / (paceMs + 1000)));
    expect(attempts).toBeLessThanOrEqual(Math.ceil(60_000 / paceMs) + 1);
    // In between, the spool is told when to ask again.
    expect(results.filter((r) => typeof r === 'number').length).toBe(60 - attempts);
  });

  it('says a failure again when it comes back after a write that succeeded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-pushed-failagain-'));
    const { log, lines } = captureLog();
    const files = new StateFiles(log);
    let pace = 0;
    const store = new PushedPresence(dir, files, KEEP, () => pace);
    const paths = new PushPaths(3 * MIN);
    const file = join(dir, 'pushed.json');
    const held = (): number => lines.filter((l) => l.msg.includes("spool's done offset waits")).length;
    mkdirSync(file);
    paths.pushed(ref, T0, ['ann']);
    expect(store.save(paths, T0)).toBe(false);
    expect(held()).toBe(1);
    rmSync(file, { recursive: true });
    pace += 1000;
    expect(store.save(paths, T0 + 1000)).toBe(true);
    rmSync(file);
    mkdirSync(file);
    paths.pushed(ref, T0 + 2000, ['ann']);
    pace += 1000;
    expect(store.save(paths, T0 + 2000)).toBe(false);
    expect(held()).toBe(2);
    expect(files.failures.get('pushed.json')).toBe(2);
  });
});
