import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/util/yaml-file.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-config-option-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--config FILE', () => {
  it('a folder is said as such, not in Node words (outside tester: "EISDIR: illegal operation on a directory")', async () => {
    // Fails on the old code: "<dir>:1:1: cannot read: EISDIR: illegal operation on a directory, read".
    for (const [command, ...more] of [['check'], ['routes', '--labels', 'a=b']] as const) {
      const r = await runCli([command, '--config', dir, ...more]);
      expect(r.code, command).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(
        `qoswatch ${command}: --config ${dir}: is a folder; expected a YAML file; see \`qoswatch ${command} --help\``,
      );
    }
    expect(() => YamlSource.read(dir)).toThrow(`${dir}:1:1: cannot read: a folder; expected a YAML file`);
  });
});
