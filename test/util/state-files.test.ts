import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { StateFiles } from '../../src/util/state-files.js';

function capture(): { lines: string[]; files: StateFiles } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      done();
    },
  });
  return { lines, files: new StateFiles(pino(sink), () => Date.UTC(2026, 11, 1)) };
}

describe('a state file that is not JSON', () => {
  it.each([
    ['{', 'truncated or garbage, 1 byte)'],
    ['{"a', 'truncated or garbage, 3 bytes)'],
  ])('is set aside with its size in words (%j)', (text, words) => {
    const file = join(mkdtempSync(join(tmpdir(), 'qw-state-')), 'alerts.json');
    writeFileSync(file, text);
    const { lines, files } = capture();
    expect(files.read(file, () => ({ value: {}, discarded: [] }))).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(words);
  });
});
