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

describe('a watched folder', () => {
  /** A FileWatch on the folder `rules` that records the text of `rules/r.yaml` at each change it tells of. */
  function watchedFolder(folder: string): { next: (text: string) => Promise<void> } {
    const seen: string[] = [];
    open = new FileWatch(folder, () => seen.push(readText(join(folder, 'r.yaml'))), true);
    const next = async (text: string): Promise<void> => {
      for (let i = 0; i < 200 && !seen.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toContain(text);
    };
    return { next };
  }

  it('is seen again after it is renamed over, deleted and re-created, and a write inside each new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-watch-'));
    const folder = join(dir, 'rules');
    mkdirSync(folder);
    writeFileSync(join(folder, 'r.yaml'), 'v1');
    const { next } = watchedFolder(folder);
    writeFileSync(join(folder, 'r.yaml'), 'v2');
    await next('v2');
    for (const v of ['v3', 'v4']) {
      // a deploy: the new folder written aside, the old one moved away, the new one moved in
      mkdirSync(`${folder}.new`);
      writeFileSync(join(`${folder}.new`, 'r.yaml'), v);
      renameSync(folder, `${folder}.old`);
      renameSync(`${folder}.new`, folder);
      rmSync(`${folder}.old`, { recursive: true });
      await next(v);
      writeFileSync(join(folder, 'r.yaml'), `${v}+`);
      await next(`${v}+`);
    }
    rmSync(folder, { recursive: true });
    await next('(gone)');
    mkdirSync(folder);
    writeFileSync(join(folder, 'r.yaml'), 'v5');
    await next('v5');
    writeFileSync(join(folder, 'r.yaml'), 'v6');
    await next('v6');
    // deleted and made again at once: the new folder often has the old one's inode number
    rmSync(folder, { recursive: true });
    mkdirSync(folder);
    writeFileSync(join(folder, 'r.yaml'), 'v7');
    await next('v7');
    writeFileSync(join(folder, 'r.yaml'), 'v8');
    await next('v8');
  });
});
