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
 * holds half of it.
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

/** Delivers every queued notification, one save each: bytes written, notify.json and journal. */
function deliverAll(groups: number): number {
  const { dir, files, store } = filled(groups);
  const journal = join(dir, 'notify.json.delivered');
  let appended = 0;
  let size = 0;
  while (store.outbox().length) {
    store.done(store.outbox()[0]!);
    store.save();
    const now = existsSync(journal) ? statSync(journal).size : 0;
    appended += now >= size ? now - size : now;
    size = now;
  }
  return files.bytes + appended;
}

/** The same deliveries with notify.json written whole each time. */
function deliverAllWhole(groups: number): number {
  const { dir, store } = filled(groups);
  const file = join(dir, 'whole.json');
  let bytes = 0;
  while (store.outbox().length) {
    store.done(store.outbox()[0]!);
    const text = JSON.stringify({ version: 1, outbox: store.outbox(), groups: store.groups() });
    writeFileAtomic(file, text);
    bytes += Buffer.byteLength(text);
  }
  return bytes;
}

describe('notify.json writes per delivery', () => {
  bench(
    'bytes written per delivery, N groups each with one notification queued, delivered in turn',
    () => {
      for (const n of [10, 100, 360, 1000]) {
        const before = deliverAllWhole(n) / n;
        const after = deliverAll(n) / n;
        note(
          `${n} groups: bytes written per delivery, whole file each time / journal`,
          `${Math.round(before).toLocaleString('en')} B / ${Math.round(after).toLocaleString('en')} B (${(before / after).toFixed(0)}x less)`,
        );
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
