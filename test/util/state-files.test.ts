import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateFiles } from '../../src/util/state-files.js';
import { captureLog } from '../helpers/log.js';

describe('a state file that is not JSON', () => {
  it.each([
    ['{', 'truncated or garbage, 1 byte)'],
    ['{"a', 'truncated or garbage, 3 bytes)'],
  ])('is set aside with its size in words (%j)', (text, words) => {
    const file = join(mkdtempSync(join(tmpdir(), 'qw-state-')), 'alerts.json');
    writeFileSync(file, text);
    const { log, lines } = captureLog();
    const files = new StateFiles(log, () => Date.UTC(2026, 11, 1));
    expect(files.read(file, () => ({ value: {}, discarded: [] }))).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toContain(words);
  });
});

describe('a damaged state file that would cost the daemon its memory (outside tester of issue 15)', () => {
  const read = (text: string, salvage = false) => {
    const file = join(mkdtempSync(join(tmpdir(), 'qw-state-')), 'instances.json');
    writeFileSync(file, text);
    const { log, lines } = captureLog();
    const files = new StateFiles(log, () => Date.UTC(2026, 11, 2));
    let salvaged = 0;
    const value = files.read(
      file,
      () => ({ value: { ok: true }, discarded: [] }),
      salvage ? () => (salvaged++, undefined) : undefined,
    );
    return { value, lines, salvaged };
  };

  it('20 MB of "[" is set aside with one line before JSON.parse (it took 1.4 GB and 12 s; 200 MB never started)', () => {
    const { value, lines, salvaged } = read('['.repeat(20_000_000), true);
    expect(value).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toContain('it nests over 64 levels deep');
    expect(salvaged).toBe(0);
  });

  it('brackets inside strings do not count, and a deep but legal file is read', () => {
    expect(read(JSON.stringify({ s: '['.repeat(1000) + '{'.repeat(1000) })).value).toEqual({ ok: true });
    expect(read(JSON.stringify({ s: '\\"['.repeat(100) })).value).toEqual({ ok: true });
    expect(read('['.repeat(64) + ']'.repeat(64)).value).toEqual({ ok: true });
    expect(read('['.repeat(65) + ']'.repeat(65)).lines[0]!.msg).toContain('nests over 64 levels');
  });
});

it('a state file over 256 MiB is set aside unread, with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qw-state-'));
  const file = join(dir, 'alerts.json');
  writeFileSync(file, '');
  truncateSync(file, 300 * 1024 * 1024); // sparse: no disk taken, no time spent writing
  const { log, lines } = captureLog();
  const files = new StateFiles(log, () => Date.UTC(2026, 11, 2));
  expect(files.read(file, () => ({ value: {}, discarded: [] }))).toBeUndefined();
  expect(lines).toHaveLength(1);
  expect(lines[0]!.msg).toContain('it is 314572800 bytes; expected a state file of at most 256 MiB');
  rmSync(dir, { recursive: true });
});

it('a file discarded whole is moved aside, so the next start neither logs nor copies it again (outside tester: a copy per restart)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qw-state-'));
  const file = join(dir, 'instances.json');
  writeFileSync(file, '{bad');
  const { log, lines } = captureLog();
  const check = () => ({ value: {}, discarded: [] });
  expect(new StateFiles(log, () => Date.UTC(2026, 11, 2)).read(file, check)).toBeUndefined();
  expect(lines[0]!.msg).toMatch(/; moved to .*instances\.json\.corrupt-/);
  expect(new StateFiles(log, () => Date.UTC(2026, 11, 2, 0, 1)).read(file, check)).toBeUndefined();
  expect(lines).toHaveLength(1);
  expect(readdirSync(dir).sort()).toEqual(['instances.json.corrupt-2026-12-02T00-00-00-000Z']);
});
