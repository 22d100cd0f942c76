import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { writeFileAtomic } from '../../src/util/atomic-file.js';
import { StateFiles } from '../../src/util/state-files.js';
import { alert, notification, NOW } from '../helpers/alerts.js';
import { firingGroup } from '../helpers/firing-group.js';
import { note } from './ratio.js';

/**
 * Bytes written to the state directory per delivery, with N groups firing and one notification
 * queued per group, each delivered in turn (outside tester hT41, stop 41, LOW: notify.json was
 * written whole after every delivery, 128 MB in 30 s with 360 groups). Before: notify.json
 * written whole each time (the reference, as the store did). Now: the store, which appends the
 * delivered id to notify.json.delivered and writes notify.json whole only when that journal
 * holds half of it. A Slack delivery also writes down its steps in the notifier's memory: that
 * was a whole write each (reviewer, stop 42, MEDIUM), it is appended to the journal too.
 */
class CountingFiles extends StateFiles {
  bytes = 0;
  override write(file: string, data: string, durable = true): boolean {
    this.bytes += Buffer.byteLength(data);
    return super.write(file, data, durable);
  }
}

function filled(groups: number): { dir: string; files: CountingFiles; store: NotifyStore } {
  const dir = mkdtempSync(join(tmpdir(), 'qw-notify-save-'));
  const files = new CountingFiles();
  const store = new NotifyStore(dir, files);
  for (let i = 0; i < groups; i++) {
    const key = `hook|{"alertname":"audio-latency-high","instance":"850${i}"}`;
    const a = alert({ participant: `u-${i}`, meeting: `850${i}` });
    firingGroup(store, key, a);
    store.enqueue(
      notification({ id: `${key}#${NOW}#${i}`, receiver: 'hook', groupKey: key, firing: [a] }),
      NOW,
    );
  }
  store.save();
  files.bytes = 0;
  return { dir, files, store };
}

/**
 * A delivery as the Slack notifier makes an update of a group's message: two steps written
 * down in its memory as Slack answers them (updated, replied), each saved at once, then the
 * notification out of the outbox.
 */
function slackDelivery(store: NotifyStore, i: number): void {
  const item = store.outbox()[0]!;
  const memory = store.memory('slack');
  const record = (step: string): string =>
    JSON.stringify({ ts: `17000${i}.000100`, channel: 'C0123456789', id: item.notification.id, step });
  memory.set(`thread:${item.notification.groupKey}`, record('updated'));
  memory.set(`thread:${item.notification.groupKey}`, record('replied'));
  store.done(item);
  store.save();
}

/** A webhook's delivery: out of the outbox. */
function hookDelivery(store: NotifyStore): void {
  store.done(store.outbox()[0]!);
  store.save();
}

/** Delivers every queued notification as `deliver` does: bytes written, notify.json and journal. */
function deliverAll(groups: number, deliver: (store: NotifyStore, i: number) => void): number {
  const { dir, files, store } = filled(groups);
  const journal = join(dir, 'notify.json.delivered');
  let appended = 0;
  let size = 0;
  for (let i = 0; store.outbox().length; i++) {
    deliver(store, i);
    const now = existsSync(journal) ? statSync(journal).size : 0;
    appended += now >= size ? now - size : now;
    size = now;
  }
  return files.bytes + appended;
}

/** The same deliveries with notify.json written whole at each save (`saves` a delivery). */
function deliverAllWhole(groups: number, saves: number): number {
  const { dir, store } = filled(groups);
  const file = join(dir, 'whole.json');
  let bytes = 0;
  while (store.outbox().length) {
    store.done(store.outbox()[0]!);
    for (let i = 0; i < saves; i++) {
      const text = JSON.stringify({ version: 1, outbox: store.outbox(), groups: store.groups() });
      writeFileAtomic(file, text);
      bytes += Buffer.byteLength(text);
    }
  }
  return bytes;
}

/** Says bytes a delivery with N groups, whole writes and with the journal. */
function compareAt(what: string, saves: number, deliver: (store: NotifyStore, i: number) => void): void {
  for (const n of [10, 100, 360, 1000]) {
    const before = deliverAllWhole(n, saves) / n;
    const after = deliverAll(n, deliver) / n;
    note(
      `${n} groups: bytes written per ${what}, whole file each save / journal`,
      `${Math.round(before).toLocaleString('en')} B / ${Math.round(after).toLocaleString('en')} B (${(before / after).toFixed(0)}x less)`,
    );
  }
}

describe('notify.json writes per delivery', () => {
  const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };
  bench(
    'bytes written per delivery, N groups each with one notification queued, delivered in turn',
    () => compareAt('delivery', 1, hookDelivery),
    once,
  );
  // The Slack notifier's memory was saved whole at each step, three writes a delivery (reviewer, stop 42).
  bench(
    'bytes written per Slack delivery (an update: two steps written down, then out of the outbox)',
    () => compareAt('Slack delivery', 3, slackDelivery),
    once,
  );
});
