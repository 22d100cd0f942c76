import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { fakeSlackForFile } from '../helpers/fake-slack.js';
import { deliverToSlack, queuedForSlack, restart, startedState, threads } from '../helpers/slack-journal.js';

/**
 * A Slack delivery records its message's thread (the ts its updates and replies go to) step by
 * step in the notifier's memory, and that marked the store changed: notify.json was written
 * whole, fsynced, once or twice a delivery (reviewer, stop 42, MEDIUM: 360 groups, a 694 KB
 * file, 10 of 10 deliveries rewrote it). The journal (notify.json.delivered) now records
 * notifier memory too, so a Slack delivery appends.
 */
const { slack, apiUrl } = fakeSlackForFile();

/** Per group: its message posted; then, per later notification, the message updated and a reply in its thread. */
function expectedHistory(groups: number): string[] {
  const posts = Array.from({ length: groups }, (_, g) => `post #${g}`);
  const later = Array.from({ length: groups }, (_, g) => [`update #${g}`, `reply #${g}`]).flat();
  return [...posts, ...later, ...later];
}

describe('Slack deliveries and notify.json', () => {
  it('30 deliveries (10 groups: post, update and reply, resolve) append to the journal: notify.json is not written again', async () => {
    const { dir, store } = queuedForSlack(10, 360);
    const file = join(dir, 'notify.json');
    let whole = '';
    // notify.json's inode as each call arrives: a whole write renames a new file in.
    const inodes = new Set<number>();
    slack.onCall = () => {
      whole ||= readFileSync(file, 'utf8');
      inodes.add(statSync(file).ino);
    };
    await deliverToSlack(store, slack, apiUrl());
    expect(threads(slack.calls)).toEqual(expectedHistory(10));
    // From the first call on, one notify.json; the old code wrote it whole 60 times (each
    // step recorded, each closed thread forgotten).
    expect(inodes.size).toBe(1);
    expect(statSync(file).ino).toBe([...inodes][0]);
    expect(readFileSync(file, 'utf8')).toBe(whole);
    expect(whole.length).toBeGreaterThan(300_000);
    // Some 300 bytes a delivery.
    expect(statSync(`${file}.delivered`).size).toBeLessThan(30 * 600);
    expect(startedState(dir)).toMatchObject({ outbox: [], notifiers: { slack: {} } });
  });

  it('a start from what a kill at any instant leaves resumes at the first call not written down, in the same threads', async () => {
    const { dir, store } = queuedForSlack(2);
    const file = join(dir, 'notify.json');
    const journal = `${file}.delivered`;
    let whole = ''; // notify.json as the first call arrives
    const sizeAt: number[] = []; // the journal's size as each call arrived, before Slack answered it
    slack.onCall = () => {
      whole ||= readFileSync(file, 'utf8');
      sizeAt.push(existsSync(journal) ? statSync(journal).size : 0);
    };
    await deliverToSlack(store, slack, apiUrl());
    const full = [...slack.calls];
    expect(threads(full)).toEqual(expectedHistory(2));
    // notify.json as it was at the first call: every state on disk since was it and a part of the journal.
    expect(readFileSync(file, 'utf8')).toBe(whole);
    const text = readFileSync(journal, 'utf8');
    const ends = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
    expect(ends.length).toBeGreaterThan(full.length); // a line a step, and one a delivery
    slack.onCall = undefined;
    for (const [i, end] of ends.entries()) {
      // Killed after `end` bytes, or half-way through the next line's append (torn).
      const next = ends[i + 1];
      for (const cut of next === undefined ? [end] : [end, end + Math.floor((next - end) / 2)]) {
        const killed = mkdtempSync(join(tmpdir(), 'qw-slack-killed-'));
        writeFileSync(join(killed, 'notify.json'), whole);
        if (cut > 0) writeFileSync(join(killed, 'notify.json.delivered'), text.slice(0, cut));
        slack.calls.length = 0;
        await deliverToSlack(restart(killed), slack, apiUrl());
        // Before the kill: the calls made while the journal was shorter (each one's record is
        // the line after it). After: only those, in the threads they went to; nothing twice.
        const before = full.filter((_, k) => sizeAt[k]! < end);
        expect(threads([...before, ...slack.calls]), `killed at byte ${cut}`).toEqual(threads(full));
        expect(startedState(killed), `killed at byte ${cut}`).toMatchObject({
          outbox: [],
          notifiers: { slack: {} },
        });
      }
    }
  });

  it('a journal applied twice gives what it gives once: a thread record is neither lost nor brought back', async () => {
    // Threads open: each group's message posted, updated and replied to.
    const open = queuedForSlack(2, 0, 2);
    await deliverToSlack(open.store, slack, apiUrl());
    const posts = slack.calls.filter((c) => c.ts && !c.args.thread_ts).map((c) => c.ts);
    const once = startedState(open.dir);
    const records = Object.values((once.notifiers as { slack: Record<string, string> }).slack);
    expect(records.map((r) => JSON.parse(r) as { ts: string; step: string })).toMatchObject(
      posts.map((ts) => ({ ts, step: 'replied' })),
    );
    expect(once.outbox).toEqual([]);
    // Started again (a kill before the start's first write): the same.
    expect(startedState(open.dir)).toEqual(once);
    // Each line twice: the same.
    const journal = join(open.dir, 'notify.json.delivered');
    const text = readFileSync(journal, 'utf8');
    appendFileSync(journal, text);
    expect(startedState(open.dir)).toEqual(once);
    // Closed and forgotten (set, then deleted), each line twice: not brought back.
    const closed = queuedForSlack(2);
    await deliverToSlack(closed.store, slack, apiUrl());
    const closedJournal = join(closed.dir, 'notify.json.delivered');
    appendFileSync(closedJournal, readFileSync(closedJournal, 'utf8'));
    expect(startedState(closed.dir)).toMatchObject({ outbox: [], notifiers: { slack: {} } });
    // Lines of an earlier notify.json and lines that are not journal lines change nothing.
    const after = (JSON.parse(text.split('\n')[0]!) as { after: number }).after;
    const record = (n: number, value: unknown): string =>
      `${JSON.stringify({ after: n, ids: [], mem: { slack: { 'thread:x': value } } })}\n`;
    appendFileSync(journal, record(after - 1, '{"ts":"1.1"}') + record(after, 7) + record(after, { ts: 1 }));
    expect(startedState(open.dir)).toEqual(once);
  });

  it('a notifier named "constructor" keeps its memory across a restart, and nothing lands on Object', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-memory-name-'));
    new NotifyStore(dir).memory('constructor').set('thread:x', 'kept');
    // The old code took Object (every object's "constructor") for its memory: lost at a restart.
    expect((Object as unknown as Record<string, unknown>)['thread:x']).toBeUndefined();
    expect(new NotifyStore(dir).memory('constructor').get('thread:x')).toBe('kept');
  });
});
