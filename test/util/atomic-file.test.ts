import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTempFiles, writeFileAtomic } from '../../src/util/atomic-file.js';

describe('temporary files of writes that were killed', () => {
  it('are removed from the state dir and its subfolders; state files and our own are kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-tmp-'));
    mkdirSync(join(dir, 'webhooks', 'summaries'), { recursive: true });
    writeFileAtomic(join(dir, 'notify.json'), '{}');
    const stale = [
      join(dir, 'notify.json.28936.tmp'),
      join(dir, 'alerts.json.7.tmp'),
      join(dir, 'webhooks', 'summaries', 'meeting-abc.json.4242.tmp'),
    ];
    for (const f of stale) writeFileSync(f, '{"half');
    const mine = join(dir, `alerts.json.${process.pid}.tmp`);
    const others = [join(dir, 'notes.tmp'), join(dir, 'notify.json.corrupt-2026-12-01'), mine];
    for (const f of others) writeFileSync(f, 'x');

    expect(removeStaleTempFiles(dir).sort()).toEqual([...stale].sort());
    for (const f of stale) expect(existsSync(f)).toBe(false);
    for (const f of [...others, join(dir, 'notify.json')]) expect(existsSync(f)).toBe(true);
    expect(removeStaleTempFiles(dir)).toEqual([]);
    expect(readdirSync(join(dir, 'webhooks', 'summaries'))).toEqual([]);
  });

  it('leaves nothing behind after a write, and a missing dir is not an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-tmp-'));
    writeFileAtomic(join(dir, 'a.json'), '1');
    expect(readdirSync(dir)).toEqual(['a.json']);
    expect(removeStaleTempFiles(join(dir, 'missing'))).toEqual([]);
  });
});
