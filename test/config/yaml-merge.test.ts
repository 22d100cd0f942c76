import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { configErrorOf } from '../helpers/config-error.js';
import { readers, refusal } from '../helpers/yaml-readers.js';

/**
 * YAML merge keys (`<<: *defaults`) are read as YAML 1.1 and most tools read them. They were
 * refused as a setting: `poll.<<: unknown setting "<<"; expected one of: ...`, which never said
 * that merge keys were the matter.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-yaml-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function write(text: string): string {
  const file = join(dir, `m${n++}.yaml`);
  writeFileSync(file, text);
  return file;
}

const ZOOM = 'zoom: { account_id: a, client_id: c, client_secret: &s SECRETVALUE123 }\n';
const HOOKS = [
  'notifiers:',
  '  - &hook',
  '    name: ops',
  '    type: webhook',
  '    url: https://example.com/hook',
  '    secret: HOOKSECRET456',
  '    format: alertmanager',
  '  - <<: *hook',
  '    name: ops2',
  '',
].join('\n');

describe('YAML merge keys', () => {
  it('merge a mapping into another; keys the mapping writes win, and the first of a list of sources', () => {
    // Old code: notifiers[1].type: missing required setting "type".
    const c = loadConfig(
      write(
        ZOOM +
          HOOKS +
          'poll: { <<: [{ min_interval: 2m }, { min_interval: 3m, max_interval: 20m }], max_interval: 30m }\n',
      ),
      {},
    );
    expect(c.notify.notifiers.map((x) => [x.name, x.type])).toEqual([
      ['ops', 'webhook'],
      ['ops2', 'webhook'],
    ]);
    expect(c.notify.notifiers[1]).toHaveProperty('settings');
    expect((c.notify.notifiers[1] as { settings: object }).settings).toMatchObject({
      url: 'https://example.com/hook',
      secret: 'HOOKSECRET456',
      format: 'alertmanager',
    });
    expect(c.poll).toMatchObject({ minIntervalMs: 120_000, maxIntervalMs: 1_800_000 });
  });

  it('a wrong merged value is said at the line:col the file writes it, under the setting it was merged into', () => {
    const file = write(
      ZOOM + 'poll: &p { min_interval: 2m }\nsources: { <<: *p }\ndelivery: { <<: { timeout: soon } }\n',
    );
    const lines = configErrorOf(file).split('\n');
    expect(lines).toContain(
      `${file}:3:12: sources.min_interval: unknown setting "min_interval"; expected one of: meetings, webinars, sessions`,
    );
    expect(
      lines.some((l) => l.startsWith(`${file}:4:28: delivery.timeout: found "soon"; expected a duration`)),
    ).toBe(true);
  });

  it("hides a secret a merge key puts in another setting, as an alias's", () => {
    const file = write(ZOOM + 'poll: { <<: { min_interval: *s } }\n');
    const viaMerge = configErrorOf(file);
    expect(viaMerge).toContain(
      `${file}:2:29: poll.min_interval: found a string (not shown: a secret's value); expected a duration`,
    );
    expect(viaMerge).not.toContain('SECRETVALUE123');
    const merged = configErrorOf(
      write(
        ZOOM +
          HOOKS.replace('format: alertmanager', 'format: alertmanager\n    headers: 7') +
          'route: { receiver: HOOKSECRET456 }\n',
      ),
    );
    expect(merged).not.toContain('HOOKSECRET456');
  });

  it('merge keys in rule files: rules share settings', () => {
    const file = write(
      [
        'rules:',
        '  - &latency',
        '    name: latency-warn',
        '    streams: [any_audio]',
        '    metric: latency',
        '    when: above',
        '    threshold: 300ms',
        '    for: 2m',
        '    severity: warning',
        '  - <<: *latency',
        '    name: latency-page',
        '    threshold: 500ms',
        '    severity: critical',
        '',
      ].join('\n'),
    );
    const rules = loadRules([file]);
    expect(rules.map((r) => [r.name, r.severity])).toEqual([
      ['latency-warn', 'warning'],
      ['latency-page', 'critical'],
    ]);
  });

  it.each(readers)(
    'a merge key merging more than 100 mappings is refused at its key in %s',
    (_n, read, head) => {
      // Review (stop 38, LOW): the walk that finds a key's line:col through merges was bounded in
      // depth, not breadth. Old code: the file's other problems (or none), not this one.
      const maps = (n: number, from = 0): string =>
        Array.from({ length: n }, (_, i) => `&m${from + i} { k${from + i}: 1 }`).join(', ');
      // 60 inline, and 41 more through a second mapping's own <<: 101.
      const text = `x: &w { <<: [${maps(41, 60)}] }\n${head}{ <<: [${maps(60)}, *w] }\n`;
      const r = refusal(read, text);
      const col = head.length - head.lastIndexOf('\n') + 2;
      expect(r.message).toBe(
        `${r.file}:3:${col}: a merge key (<<) that merges more than 100 mappings, counting those their own << merge; expected a few mappings merged (<<: *defaults or <<: [*a, *b])`,
      );
    },
  );

  it('a merge key merging 100 mappings is read', () => {
    const maps = Array.from({ length: 99 }, (_, i) => `{ min_interval: ${i + 2}m }`).join(', ');
    const c = loadConfig(write(`${ZOOM}poll: { <<: [${maps}, { max_interval: 20m }] }\n`), {});
    expect(c.poll).toMatchObject({ minIntervalMs: 120_000, maxIntervalMs: 1_200_000 });
  });

  it.each(readers)('a merge key with no mapping to merge is said at its value in %s', (_name, read, head) => {
    // Old code: "unknown setting" or a schema error about a key "<<".
    const r = refusal(read, `${head}{ <<: 5 }\n`);
    const col = head.length - head.lastIndexOf('\n') + 6;
    expect(r.message).toBe(
      `${r.file}:2:${col}: a merge key (<<) whose value is not a mapping; expected a mapping, an alias of one (<<: *defaults) or a list of them (<<: [*a, *b])`,
    );
  });
});
