import { mkdtempSync, writeFileSync } from 'node:fs';
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
