import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { PushPaths } from '../../src/poll/webhooks/push-paths.js';
import { PushedPresence } from '../../src/poll/webhooks/pushed-presence.js';
import { StateFiles } from '../../src/util/state-files.js';
import { note } from './ratio.js';

/**
 * What keeping the pushed participants' times (state.dir/webhooks/pushed.json) costs while
 * pushes change them: N participants each pushed once a minute (Zoom's QSS pace), the spool
 * asking to write the done offset each second (its pace), for 2 minutes. Before (stop 44,
 * fP44): the file was written whole at each of those seconds (note44: about 10 MB/s at its
 * 100,000-entry bound, not benched). Now: the next write waits the last one's size at
 * PUSHED_BYTES_PER_SECOND. Real files, fsynced; the seconds are counted, not slept.
 */
class CountingFiles extends StateFiles {
  bytes = 0;
  writes = 0;
  ms = 0;
  override write(file: string, data: string, durable = true): boolean {
    const t = performance.now();
    const ok = super.write(file, data, durable);
    this.ms += performance.now() - t;
    this.bytes += Buffer.byteLength(data);
    this.writes++;
    return ok;
  }
}

const T0 = Date.parse('2026-12-05T12:00:00Z');
const SECONDS = 120;
const PER_INSTANCE = 50;
const KEEP_MS = 5 * 60_000;

/** `seconds` of pushes of `n` participants, saved each second as the spool asks; `paced`: as now, else whole each second. */
function run(n: number, paced: boolean): { files: CountingFiles; encodeMs: number } {
  const dir = mkdtempSync(join(tmpdir(), 'qw-pushed-bench-'));
  const files = new CountingFiles();
  let second = 0;
  // Before: a pace clock that runs ahead of every wait, so each save writes (as before).
  const pace = (): number => (paced ? second * 1000 : second * 1e12);
  const store = new PushedPresence(dir, files, KEEP_MS, pace);
  const paths = new PushPaths(3 * 60_000);
  const instances = Math.ceil(n / PER_INSTANCE);
  const refs = Array.from({ length: instances }, (_, i) => ({
    kind: 'meeting' as const,
    id: String(85_000_000_000 + i),
    uuid: `uuid-${i}==`,
    topic: 'T',
  }));
  // Everyone pushed once within the first minute, spread over it.
  const push = (s: number): void => {
    for (let p = s % 60; p < n; p += 60)
      paths.pushed(refs[Math.floor(p / PER_INSTANCE)]!, T0 + s * 1000, [String(16_778_240 + p)]);
  };
  for (let s = 0; s < 60; s++) push(s);
  store.save(paths, T0 + 60_000);
  files.bytes = files.writes = files.ms = 0;
  const t = performance.now();
  for (second = 60; second < 60 + SECONDS; second++) {
    push(second);
    store.save(paths, T0 + second * 1000);
  }
  return { files, encodeMs: performance.now() - t - files.ms };
}

const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`;

describe('pushed.json while pushes change it', () => {
  bench(
    `bytes and time a second, N participants pushed once a minute, over ${SECONDS} s`,
    () => {
      for (const n of [5_000, 20_000, 100_000]) {
        const before = run(n, false);
        const after = run(n, true);
        const per = (r: ReturnType<typeof run>): string =>
          `${mb(r.files.bytes / SECONDS)}/s, ${(r.files.writes / SECONDS).toFixed(2)} writes/s, ${((r.files.ms + r.encodeMs) / SECONDS).toFixed(1)} ms/s`;
        note(
          `${n.toLocaleString('en')} participants: pushed.json whole each second / paced`,
          `${per(before)} / ${per(after)}`,
        );
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
