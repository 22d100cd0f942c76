import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readers, refusal } from '../helpers/yaml-readers.js';

/**
 * YAML tags are refused at the tag. The yaml package read the YAML 1.1 tags: an !!omap or !!set
 * of settings became a Map or Set that the schema took as an empty mapping (an unknown key or a
 * 1ms timeout inside went unseen), and a !!binary a Buffer whose bytes and methods were "unknown
 * settings".
 */

const EXPECTED =
  'expected the value without a tag (qoswatch files take plain mappings, lists, text, numbers and true/false)';
const dir = mkdtempSync(join(tmpdir(), 'qw-yaml-tags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = 'zoom: { account_id: a, client_id: c, client_secret: s }\n';

describe('YAML tags', () => {
  // Old code: the first three exit 0 with no error, the fourth says 'zoom.0: unknown setting "0"' ... 'zoom.readBigUInt64LE'.
  it.each([
    ['poll: !!omap [ {min_interval: 1s}, {bogus: 1} ]', 'poll', '!!omap'],
    ['poll: !!set {a, b}', 'poll', '!!set'],
    ['delivery: !!omap [{timeout: 1ms}]', 'delivery', '!!omap'],
    ['poll: !!pairs [ {min_interval: 1s} ]', 'poll', '!!pairs'],
    ['reports: { keep: !!timestamp 2026-01-01 }', 'reports: { keep', '!!timestamp'],
  ])('qoswatch check refuses %s at its tag', async (line, before, tag) => {
    const file = join(dir, `${tag.slice(2)}-${before.length}.yaml`);
    writeFileSync(file, `sources: { webinars: false }\n${line}\n`);
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${file}:2:${before.length + 3}: YAML tags such as ${tag} are not supported; ${EXPECTED}`,
    );
  });

  it('qoswatch check refuses zoom: !!binary at its tag, not its bytes as unknown settings', async () => {
    const file = join(dir, 'binary.yaml');
    writeFileSync(file, 'zoom: !!binary aGVsbG8=\n');
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${file}:1:7: YAML tags such as !!binary are not supported; ${EXPECTED}`);
  });

  it('a core tag on a value it does not fit, and a local tag, are said as such', async () => {
    const file = join(dir, 'core.yaml');
    writeFileSync(file, `${HEAD}poll: { min_interval: !!float 1s, max_interval: !secret 5m }\n`);
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:2:23: YAML tag !!float does not fit this value; ${EXPECTED}`,
      `${file}:2:49: YAML tags such as !secret are not supported; ${EXPECTED}`,
    ]);
  });

  it.each(readers)('are refused in %s too', (_name, read, head) => {
    const r = refusal(read, `${head}!!omap [ {a: 1} ]\n`);
    const col = head.length - head.lastIndexOf('\n');
    expect(r.message).toBe(`${r.file}:2:${col}: YAML tags such as !!omap are not supported; ${EXPECTED}`);
  });

  it('the tags of the core schema that fit their value are read as before', async () => {
    const file = join(dir, 'fits.yaml');
    writeFileSync(
      file,
      `${HEAD}sources: !!map { webinars: !!bool false }\npoll: { min_interval: !!str 90s }\n`,
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code, r.stderr).toBe(0);
  });
});
