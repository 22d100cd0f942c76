import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FileTooBigError,
  NotRegularFileError,
  readRegularFile,
  readRegularText,
  readSmallText,
} from '../../src/util/regular-file.js';
import { runUntilPrinted } from '../helpers/cli.js';

/**
 * Outside test (stop 39): a named pipe where a setting names a file hung qoswatch in open():
 * `client_secret_file:` a FIFO with no writer made `qoswatch check` wait forever, and
 * `mkfifo rules/pipe.yaml` under a watched rules folder stopped the daemon (no /healthz, SIGTERM
 * ignored). Every file a setting names is now opened without waiting and read only when it is a
 * regular file. The commands run as separate processes: the old code never returned, and the
 * test fails on the deadline (`printed`) instead of hanging with it.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-fifo-'));
const fifo = (name: string): string => {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
};
const RULE =
  'rules:\n  - { name: slow, metric: latency, streams: [audio_input], when: above, threshold: 300ms }\n';
/** `qoswatch check` on `config`: what it printed and its exit code, or a failure after 30 s. */
const check = (config: string): Promise<{ out: string; code: number | null }> =>
  runUntilPrinted(['check', '--config', config], 'expected a regular file');

describe('a file a setting names that is not a regular file', () => {
  it('is refused, never waited on: a FIFO, a character device', () => {
    const pipe = fifo('lone.pipe');
    expect(() => readRegularFile(pipe)).toThrow(NotRegularFileError);
    expect(() => readRegularFile(pipe)).toThrow('a named pipe (FIFO), not a regular file');
    expect(() => readRegularFile('/dev/null')).toThrow('a character device, not a regular file');
    expect(() => readRegularFile(dir)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    writeFileSync(join(dir, 'ok.txt'), 'hello');
    expect(readRegularFile(join(dir, 'ok.txt')).toString()).toBe('hello');
  });

  it('client_secret_file a FIFO with no writer: check says so at file:line:col, exit 2', async () => {
    const pipe = fifo('secret.pipe');
    const config = join(dir, 'secret.yaml');
    writeFileSync(config, `zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: ${pipe}\n`);
    const { out, code } = await check(config);
    expect(out).toContain(
      `${config}:4:23: zoom.client_secret_file: ${pipe} is a named pipe (FIFO); expected a regular file (a readable file holding`,
    );
    expect(code).toBe(2);
  }, 60_000);

  it('a FIFO in the rules folder: check says so at file:1:1, exit 2', async () => {
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    writeFileSync(join(rules, 'a.yaml'), RULE);
    const pipe = join('rules', 'pipe.yaml');
    fifo(pipe);
    const config = join(dir, 'rules.yaml');
    writeFileSync(
      config,
      `zoom: { account_id: a, client_id: c, client_secret: s }\nrules:\n  paths: [rules]\n`,
    );
    const { out, code } = await check(config);
    expect(out).toContain(
      `${join(dir, pipe)}:1:1: cannot read: a named pipe (FIFO); expected a regular file (a YAML file)`,
    );
    expect(code).toBe(2);
  }, 60_000);
});

/**
 * readRegularFile's `maxBytes`: the one "refuse over N bytes" that state files (util/state-files.ts),
 * YAML files (util/yaml-source.ts) and small secret files (readSmallText) share; a typed error
 * carrying the size found, so each caller says it in its own words (tested with them:
 * test/util/state-files.test.ts, test/reliability/bounds.test.ts).
 */
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('readRegularFile with maxBytes', () => {
  it('reads a file of at most maxBytes, as bytes or as text', () => {
    const path = file('ten.txt', 'héllo wör');
    expect(readRegularFile(path, { maxBytes: 11 }).length).toBe(11);
    expect(readRegularText(path, { maxBytes: 11 })).toBe('héllo wör');
    expect(readRegularText(path)).toBe('héllo wör');
  });

  it('refuses a bigger one with FileTooBigError, its size and the bound', () => {
    const path = file('twelve.txt', 'x'.repeat(12));
    const err = (() => {
      try {
        readRegularFile(path, { maxBytes: 11 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FileTooBigError);
    expect(err).toMatchObject({ code: 'EFBIG', size: 12, maxBytes: 11 });
    expect((err as Error).message).toBe('12 bytes, over the 11 bytes it may have');
    expect(() => readRegularText(path, { maxBytes: 11 })).toThrow(FileTooBigError);
  });

  it('readSmallText: trimmed text, or undefined when over maxBytes or missing', () => {
    expect(readSmallText(file('secret', ' s3cret\n'), 8)).toBe('s3cret');
    expect(readSmallText(file('big-secret', 'x'.repeat(9)), 8)).toBeUndefined();
    expect(readSmallText(join(dir, 'missing'), 8)).toBeUndefined();
  });
});
