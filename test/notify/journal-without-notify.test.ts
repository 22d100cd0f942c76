import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { notification, NOW } from '../helpers/alerts.js';

const ids = (s: NotifyStore): string[] => s.outbox().map((i) => i.notification.id);

/**
 * notify.json lost (deleted, or corrupt and set aside) while its journal stays (reviewer rA42,
 * stop 42, LOW): the new notify.json started again at generation 1, and a kill between its
 * write and the journal's removal left old lines naming generation 1, so a notification queued
 * again under the same id (a report's) was taken as delivered and lost.
 */
describe('a delivered-ids journal found without its notify.json', () => {
  for (const how of ['corrupt', 'deleted'] as const)
    it(`goes at start when notify.json is ${how}: a re-queued id is not taken as delivered`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'qw-journal-lost-'));
      const file = join(dir, 'notify.json');
      const journal = `${file}.delivered`;
      const a = new NotifyStore(dir);
      a.enqueue(notification({ id: 'report|r1|hook', receiver: 'hook' }), NOW);
      a.save();
      a.done(a.outbox()[0]!);
      a.save(); // appended to the journal, after notify.json's generation
      expect(existsSync(journal)).toBe(true);
      if (how === 'corrupt') writeFileSync(file, '{"version":');
      else rmSync(file);
      const b = new NotifyStore(dir);
      // A kill after b's first whole write and before anything after it: the journal is left as
      // b found it (the old code removed it only after that write, so its lines were still there).
      const left = existsSync(journal) ? readFileSync(journal) : undefined;
      b.enqueue(notification({ id: 'report|r1|hook', receiver: 'hook' }), NOW);
      b.save();
      if (left) writeFileSync(journal, left);
      expect(ids(new NotifyStore(dir))).toEqual(['report|r1|hook']);
    });
});
