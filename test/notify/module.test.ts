import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createNotifier } from '../../src/notify/build.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import type { NotifierSettings } from '../../src/notify/settings.js';
import { VirtualClock } from '../../src/util/clock.js';
import { FileInvalidError } from '../../src/util/file-errors.js';
import { silentLogger } from '../../src/util/logger.js';
import { fromRoot } from '../../src/util/package-root.js';
import { notification, NOW } from '../helpers/alerts.js';
import { runCli } from '../helpers/cli.js';

const deps = { clock: new VirtualClock(NOW), log: silentLogger(), store: new NotifyStore(undefined) };
const module = fromRoot('test', 'fixtures', 'notifiers', 'file-notifier.mjs');
const dir = mkdtempSync(join(tmpdir(), 'qw-mod-'));

/** A config file whose only notifier is the module, with `options` as written; its settings. */
function moduleConfig(name: string, options: string): { file: string; cfg: NotifierSettings } {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `notifiers:\n  - name: mine\n    type: module\n    module: ${module}\n${options}`);
  return { file, cfg: loadConfig(file, {}, { notifiersOnly: true }).notify.notifiers[0]! };
}

/** What createNotifier threw, as main.ts prints it. */
async function problemsOf(cfg: NotifierSettings): Promise<string> {
  const err: unknown = await createNotifier(cfg, deps).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FileInvalidError);
  return (err as FileInvalidError).message;
}

describe('a notifier of your own from a module path', () => {
  it('is loaded, its options checked against its schema, and used like any other', async () => {
    const out = join(dir, 'out.txt');
    const { cfg } = moduleConfig('good', `    options: { path: ${out} }\n`);
    const { notifier } = await createNotifier(cfg, deps);
    await notifier.send(notification(), new AbortController().signal);
    expect(readFileSync(out, 'utf8')).toBe('alert 1 firing 0 resolved\n');
  });

  // Old code: 'notifier "mine" options: (options) must have required property 'path'' and
  // '/path must be string': ajv's words, no file, line or column.
  it('refuses options its schema does not allow at file:line:col, in the words of every config problem', async () => {
    const missing = moduleConfig('missing', '    options: {}\n');
    expect(await problemsOf(missing.cfg)).toBe(
      `${missing.file}:5:14: notifiers[0].options.path: missing required setting "path"`,
    );
    const wrong = moduleConfig('wrong', '    options:\n      path: 5\n');
    expect(await problemsOf(wrong.cfg)).toBe(
      `${wrong.file}:6:13: notifiers[0].options.path: found 5; expected a string`,
    );
    const none = moduleConfig('none', '');
    expect(await problemsOf(none.cfg)).toContain(
      `${none.file}:2:5: notifiers[0].options.path: missing required setting "path"`,
    );
  });

  it('notify-test prints them as it prints any config problem, exit 2', async () => {
    const { file } = moduleConfig('cli', '    options: { path: "" }\n');
    const r = await runCli(['notify-test', '--config', file, '--notifier', 'mine']);
    expect(r.stderr).toBe(
      `${file}:5:22: notifiers[0].options.path: found an empty string; expected a non-empty string\n`,
    );
    expect(r.code).toBe(2);
  });
});
