import { describe, expect, it } from 'vitest';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { StateFiles } from '../../src/util/state-files.js';
import { captureLog } from '../helpers/log.js';
import { alert, notification, NOW } from '../helpers/alerts.js';
import { firingGroup } from '../helpers/firing-group.js';

/**
 * notify.json was written whole, and fsynced, after every delivery (outside tester hT41, stop
 * 41, LOW): with 360 groups a 1.5 MB file three times a second, disk writes growing with the
 * square of the groups. A delivery that changes nothing else now appends its id to
 * notify.json.delivered; a start reads both, so a delivered notification is neither lost nor
 * sent again.
 */
function storeWith(groups: number, queued: number, idPad = ''): { dir: string; store: NotifyStore } {
  const dir = mkdtempSync(join(tmpdir(), 'qw-journal-'));
  const store = new NotifyStore(dir);
  for (let i = 0; i < groups; i++) {
    firingGroup(store, `hook|{"participant":"p${i}"}`, alert({ participant: `p${i}` }));
  }
  for (let i = 0; i < queued; i++)
    store.enqueue(
      notification({ id: `n${i}${idPad}`, receiver: 'hook', firing: [alert({ participant: `p${i}` })] }),
      NOW,
    );
  store.save();
  return { dir, store };
}

const ids = (s: NotifyStore): string[] => s.outbox().map((i) => i.notification.id);

describe('the journal of delivered notifications', () => {
  it('a delivery appends its id, notify.json is not written again, and a restart leaves it out of the outbox', () => {
    const { dir, store } = storeWith(50, 5);
    const file = join(dir, 'notify.json');
    const whole = readFileSync(file, 'utf8');
    for (const item of store.outbox().slice(0, 3)) {
      store.done(item);
      store.save();
    }
    // On the old code notify.json was rewritten each time, and there was no journal.
    expect(readFileSync(file, 'utf8')).toBe(whole);
    expect(statSync(`${file}.delivered`).size).toBeLessThan(100);
    expect(ids(new NotifyStore(dir))).toEqual(['n3', 'n4']);
  });

  it('any other change writes notify.json whole and empties the journal', () => {
    const { dir, store } = storeWith(5, 3);
    store.done(store.outbox()[0]!);
    store.save();
    expect(existsSync(join(dir, 'notify.json.delivered'))).toBe(true);
    store.done(store.outbox()[0]!);
    store.attemptFailed(store.outbox()[0]!, 'hook: answered HTTP 503', NOW + 1000);
    store.save();
    expect(existsSync(join(dir, 'notify.json.delivered'))).toBe(false);
    const again = new NotifyStore(dir);
    expect(ids(again)).toEqual(['n2']);
    expect(again.outbox()[0]!.lastError).toBe('hook: answered HTTP 503');
  });

  it('a line torn by a kill mid-append is skipped; the lines before it count', () => {
    const { dir, store } = storeWith(5, 3);
    store.done(store.outbox()[0]!);
    store.save();
    appendFileSync(join(dir, 'notify.json.delivered'), '["n1"');
    expect(ids(new NotifyStore(dir))).toEqual(['n1', 'n2']);
  });

  it('once it holds half of notify.json (64 KiB at least), notify.json is written whole and the journal starts again', () => {
    // Ids of 2,000 characters: the journal reaches half of notify.json within some 150 deliveries.
    const { dir, store } = storeWith(0, 200, 'x'.repeat(2000));
    let wholeWrites = 0;
    let last = readFileSync(join(dir, 'notify.json'), 'utf8');
    for (let i = 0; i < 200; i++) {
      store.done(store.outbox()[0]!);
      store.save();
      const now = readFileSync(join(dir, 'notify.json'), 'utf8');
      if (now !== last) wholeWrites++;
      last = now;
    }
    // Written whole a few times (it was 200 times), and the journal bounded by it.
    expect(wholeWrites).toBeGreaterThan(0);
    expect(wholeWrites).toBeLessThan(10);
    expect(ids(new NotifyStore(dir))).toEqual([]);
  });

  it('a journal line follows one notify.json: one left by a stop between a whole write and its removal says nothing', () => {
    const { dir, store } = storeWith(5, 3);
    const journal = join(dir, 'notify.json.delivered');
    store.done(store.outbox()[0]!); // n0 delivered: in the journal
    store.save();
    copyFileSync(journal, `${journal}.kept`);
    // The same id queued again (a report queued again once forgotten): notify.json written whole.
    store.enqueue(notification({ id: 'n0', receiver: 'hook' }), NOW);
    store.save();
    expect(existsSync(journal)).toBe(false);
    // A kill between the rename of notify.json and the journal's removal leaves the old journal.
    copyFileSync(`${journal}.kept`, journal);
    const { log, lines } = captureLog();
    // Without the generation, the old line took the new n0 out of the outbox: lost.
    expect(ids(new NotifyStore(dir, new StateFiles(log)))).toEqual(['n1', 'n2', 'n0']);
    expect(lines.map((l) => l.msg)).toEqual([
      `state file ${journal}: 0 delivered notifications left the outbox; skipped 1 line of an earlier notify.json`,
    ]);
  });

  it('garbage lines and ids of nothing are skipped, counted and said once; the good lines count', () => {
    const { dir, store } = storeWith(5, 4);
    const journal = join(dir, 'notify.json.delivered');
    store.done(store.outbox()[0]!);
    store.save();
    const good = readFileSync(journal, 'utf8');
    const generation = (JSON.parse(good) as { after: number }).after;
    appendFileSync(journal, `\u0000\u0001garbage\n{"after":${generation},"ids":[7]}\n[1,2]\n`);
    appendFileSync(journal, `${JSON.stringify({ after: generation, ids: ['n2', 'nowhere', 'gone'] })}\n`);
    const { log, lines } = captureLog();
    expect(ids(new NotifyStore(dir, new StateFiles(log)))).toEqual(['n1', 'n3']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, applied: 2, garbage: 3, unknown: 2, torn: 0, stale: 0 });
    expect(lines[0]!.msg).toBe(
      `state file ${journal}: 2 delivered notifications left the outbox; skipped 3 lines that are not journal lines, 2 ids not in the outbox`,
    );
  });

  it('one garbage line and one id of nothing are said in the singular', () => {
    const { dir, store } = storeWith(5, 4);
    const journal = join(dir, 'notify.json.delivered');
    store.done(store.outbox()[0]!);
    store.save();
    const generation = (JSON.parse(readFileSync(journal, 'utf8')) as { after: number }).after;
    appendFileSync(journal, `garbage\n${JSON.stringify({ after: generation, ids: ['gone'] })}\n`);
    const { log, lines } = captureLog();
    new NotifyStore(dir, new StateFiles(log)).outbox();
    // Old code: "skipped 1 line that are not journal lines".
    expect(lines.map((l) => l.msg)).toEqual([
      `state file ${journal}: 1 delivered notification left the outbox; skipped 1 line that is not a journal line, 1 id not in the outbox`,
    ]);
  });

  it('a journal larger than one beside this notify.json can be is ignored and said: nothing lost, nothing thrown', () => {
    const { dir } = storeWith(5, 3);
    const journal = join(dir, 'notify.json.delivered');
    writeFileSync(journal, `${'x'.repeat(200 * 1024)}\n`);
    const { log, lines } = captureLog();
    const store = new NotifyStore(dir, new StateFiles(log));
    expect(ids(store)).toEqual(['n0', 'n1', 'n2']);
    expect(lines.map((l) => l.msg)).toEqual([
      `state file ${journal} is not usable: it is ${200 * 1024 + 1} bytes, more than the 65536 a journal beside this notify.json holds; ignored: the notifications it names may be sent again (under their ids)`,
    ]);
    // The next whole write removes it; deliveries are journalled again.
    store.attemptFailed(store.outbox()[0]!, 'hook: answered HTTP 503');
    store.save();
    expect(existsSync(journal)).toBe(false);
    store.done(store.outbox()[1]!);
    store.save();
    expect(ids(new NotifyStore(dir))).toEqual(['n0', 'n2']);
  });

  it('a journal that cannot be removed (a folder) is said once, and notify.json is written whole instead', () => {
    const { dir } = storeWith(5, 3);
    const journal = join(dir, 'notify.json.delivered');
    mkdirSync(journal);
    const { log, lines } = captureLog();
    const store = new NotifyStore(dir, new StateFiles(log));
    for (let i = 0; i < 2; i++) {
      store.done(store.outbox()[0]!);
      store.save();
    }
    expect(ids(new NotifyStore(dir))).toEqual(['n2']);
    expect(lines.filter((l) => l.msg.startsWith(`cannot remove state file ${journal}`))).toHaveLength(1);
  });

  it('a save that would take the journal past its bound writes notify.json whole instead', () => {
    // 200 deliveries of ids of 4,000 characters in one save: a line of 800 KB, over half of notify.json (1 MB).
    const { dir, store } = storeWith(0, 201, 'y'.repeat(4000));
    const file = join(dir, 'notify.json');
    store.done(store.outbox()[0]!);
    store.save(); // the journal exists now
    const whole = readFileSync(file, 'utf8');
    for (let i = 0; i < 200; i++) store.done(store.outbox()[0]!);
    store.save();
    expect(readFileSync(file, 'utf8')).not.toBe(whole);
    expect(existsSync(`${file}.delivered`)).toBe(false);
    expect(ids(new NotifyStore(dir))).toEqual([]);
  });
});
