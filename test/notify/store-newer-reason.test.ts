import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { alert, notification, NOW } from '../helpers/alerts.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-newer-reason-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A resolve a newer qoswatch wrote with a reason this one does not know. Before `moved` existed
 * (c8c0587), an older qoswatch set aside every waiting resolve `moved` in notify.json: after a
 * downgrade and the upgrade back, those notifications were gone. The reason is any word now.
 */
describe('notify.json of a newer qoswatch', () => {
  it('keeps a waiting resolve whose reason this one does not know, and sets nothing aside', () => {
    const store = new NotifyStore(dir);
    const resolved = alert({ state: 'resolved', reason: 'moved' });
    store.enqueue(notification({ firing: [], resolved: [resolved] }), NOW);
    store.save();
    const file = join(dir, 'notify.json');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"reason":"moved"', '"reason":"handed_over"'));
    // Old code: the outbox entry failed `reason: { enum: [...] }` and was set aside.
    const again = new NotifyStore(dir);
    expect(again.outbox().map((i) => i.notification.resolved.map((a) => a.reason))).toEqual([
      ['handed_over'],
    ]);
    expect(readdirSync(dir)).toEqual(['notify.json']);
  });

  it('types a reason as what notify.json accepts: any lowercase word, not only the known ones', () => {
    // Old code: Alert.reason was ResolveReason only; this did not typecheck (npm run typecheck).
    expectTypeOf<string>().toExtend<NonNullable<Alert['reason']>>();
    const read = new NotifyStore(dir).outbox()[0]!.notification.resolved[0]!;
    const reason: string | undefined = read.reason;
    expect(reason).toBe('handed_over');
  });
});
