import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNotifier } from '../../src/notify/build.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { fromRoot } from '../../src/util/package-root.js';
import { notification, NOW } from '../helpers/alerts.js';

const deps = { clock: new VirtualClock(NOW), log: silentLogger(), store: new NotifyStore(undefined) };
const module = fromRoot('test', 'fixtures', 'notifiers', 'file-notifier.mjs');

describe('a notifier of your own from a module path', () => {
  it('is loaded, its options checked against its schema, and used like any other', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'qw-mod-')), 'out.txt');
    const { notifier } = await createNotifier(
      { name: 'mine', type: 'module', sendResolved: true, timing: {}, module, options: { path: out } },
      deps,
    );
    await notifier.send(notification(), new AbortController().signal);
    expect(readFileSync(out, 'utf8')).toBe('alert 1 firing 0 resolved\n');
  });

  it('refuses options its schema does not allow, saying which', async () => {
    await expect(
      createNotifier(
        { name: 'mine', type: 'module', sendResolved: true, timing: {}, module, options: {} },
        deps,
      ),
    ).rejects.toThrow(`notifier "mine" options: (options) must have required property 'path'`);
  });
});
