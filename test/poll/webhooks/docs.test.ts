import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { normalizeSummary } from '../../../src/normalize/qos-items.js';
import { NormalizeStats } from '../../../src/normalize/stats.js';
import { readPushedSummaries, summaryFile } from '../../../src/poll/webhooks/summary-store.js';
import { StateFiles } from '../../../src/util/state-files.js';
import { fromRoot } from '../../../src/util/package-root.js';

const ENV = {
  ZOOM_ACCOUNT_ID: 'a',
  ZOOM_CLIENT_ID: 'c',
  ZOOM_CLIENT_SECRET: 's',
  ZOOM_QSS_SECRET_TOKEN: 'tok',
};
const dir = mkdtempSync(join(tmpdir(), 'qw-webhook-docs-'));

describe('the webhook examples people copy', () => {
  it('docs/webhooks.md: its configuration loads as written', () => {
    const md = readFileSync(fromRoot('docs', 'webhooks.md'), 'utf8');
    const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(2);
    const file = join(dir, 'docs.yaml');
    writeFileSync(file, blocks[0]!);
    expect(loadConfig(file, ENV).webhooks).toMatchObject({
      host: '127.0.0.1',
      port: 9782,
      takeoverAfterMs: 180_000,
      apps: [{ name: 'qss', path: '/zoom/qss', secretToken: 'tok', eventClock: 'zoom' }],
    });
    // The simulator's, a whole config as written (docs/examples/webhooks-simulator.yaml): its
    // app follows the fast clock of simulate --speed.
    writeFileSync(file, blocks[1]!);
    expect(loadConfig(file, ENV).webhooks).toMatchObject({
      host: '127.0.0.1',
      port: 9782,
      apps: [{ name: 'simulator', path: '/zoom/qss', secretToken: 'tok', eventClock: 'follow' }],
    });
  });

  it('config.example.yaml: the commented webhooks section loads once uncommented', () => {
    const text = readFileSync(fromRoot('config.example.yaml'), 'utf8');
    const start = text.indexOf('# webhooks:');
    expect(start).toBeGreaterThan(0);
    const lines = text.slice(start).split('\n');
    const section = lines
      .slice(
        0,
        lines.findIndex((l) => !l.startsWith('#')),
      )
      .map((l) => l.replace(/^# ?/, ''));
    const file = join(dir, 'example.yaml');
    writeFileSync(
      file,
      text.slice(0, start) + section.join('\n') + '\n' + lines.slice(section.length).join('\n'),
    );
    const c = loadConfig(file, ENV);
    expect(c.webhooks).toMatchObject({
      host: '127.0.0.1',
      port: 9782,
      maxAgeMs: 300_000,
      maxBodyBytes: 65_536,
      apps: [{ name: 'qss', path: '/zoom/qss', secretToken: 'tok' }],
    });
  });

  it('docs/webhooks.md: its summaries file example is one qoswatch reads, at the path it names', () => {
    const md = readFileSync(fromRoot('docs', 'webhooks.md'), 'utf8');
    const blocks = [...md.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(1);
    const example = JSON.parse(blocks[0]!) as { instance: { kind: 'meeting'; uuid: string } };
    const file = summaryFile(dir, example.instance);
    expect(file).toBe(
      join(
        dir,
        'webhooks',
        'summaries',
        `meeting-${Buffer.from(example.instance.uuid).toString('base64url')}.json`,
      ),
    );
    mkdirSync(join(dir, 'webhooks', 'summaries'), { recursive: true });
    writeFileSync(file, blocks[0]!);
    const read = readPushedSummaries(new StateFiles(), dir, example.instance);
    expect(read).toEqual(example);
    expect(
      normalizeSummary(read!.participants.string!.qos_summary, 'meeting', new NormalizeStats())?.participant
        .key,
    ).toBe('string');
  });
});
