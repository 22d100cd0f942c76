import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';

/** Each broken config in test/fixtures/configs names, in its first line, the error it must give. */
const dir = fromRoot('test', 'fixtures', 'configs');
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({
    name: f,
    file: join(dir, f),
    expect: /^# expect: (.+)$/m.exec(readFileSync(join(dir, f), 'utf8'))![1]!,
  }));

describe('qoswatch check on a corpus of broken configs', () => {
  it('has a corpus', () => expect(corpus.length).toBeGreaterThanOrEqual(10));

  it.each(corpus)('$name', async ({ file, expect: want }) => {
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    const where = want.startsWith('rules/') ? join(dir, want) : `${file}:${want}`;
    expect(r.stderr).toContain(where);
    expect(r.stdout).toBe('');
  });
});
