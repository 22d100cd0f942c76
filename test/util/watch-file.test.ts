import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWatch } from '../../src/util/watch-file.js';

let open: FileWatch | undefined;
afterEach(() => open?.close());

/** A FileWatch on `file` that records the file's text at each change it tells of. */
function watched(file: string): { seen: string[]; next: (text: string) => Promise<void> } {
  const seen: string[] = [];
  open = new FileWatch(file, () => seen.push(readText(file)));
  /** Waits (bounded: 10 s) until a change told of shows `text`. */
  const next = async (text: string): Promise<void> => {
    for (let i = 0; i < 200 && !seen.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toContain(text);
  };
  return { seen, next };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(gone)';
  }
}

describe('a watched file', () => {
  it('is seen again after each save that renames a new file over it, a delete and a re-create', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-watch-'));
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, 'v1');
    const { next } = watched(file);
    for (const v of ['v2', 'v3', 'v4']) {
      writeFileSync(`${file}.tmp`, v);
      renameSync(`${file}.tmp`, file);
      await next(v);
    }
    rmSync(file);
    await next('(gone)');
    writeFileSync(file, 'v5');
    await next('v5');
    writeFileSync(file, 'v6');
    await next('v6');
  });

  it('is seen through a Kubernetes ConfigMap mount: a ..data symlink swapped to a new folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-watch-'));
    /** Writes the mount's next version as the kubelet does: a new folder, then `..data` renamed to it. */
    const publish = (version: string): void => {
      mkdirSync(join(dir, `..${version}`));
      writeFileSync(join(dir, `..${version}`, 'rules.yaml'), version);
      symlinkSync(`..${version}`, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    };
    publish('v1');
    symlinkSync(join('..data', 'rules.yaml'), join(dir, 'rules.yaml'));
    const { next } = watched(join(dir, 'rules.yaml'));
    for (const v of ['v2', 'v3']) {
      publish(v);
      await next(v);
    }
  });
});
