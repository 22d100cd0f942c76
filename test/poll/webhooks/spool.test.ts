import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../../src/poll/webhooks/spool.js';

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
