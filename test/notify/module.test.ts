import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
      `${missing.file}:5:14: notifiers[0].options.path: missing required setting "path"; expected a string`,
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

describe('qoswatch check loads notifier modules', () => {
  // A module of one's own in a temp folder whose create() and send() leave a mark: check must
  // load it and check its options, and do neither.
  const marks = join(dir, 'marks.txt');
  writeFileSync(
    join(dir, 'marking-notifier.mjs'),
    `import { appendFileSync } from 'node:fs';
export default {
  type: 'marking',
  properties: { channel: { type: 'string', minLength: 1 }, retries: { type: 'integer', maximum: 5 } },
  required: ['channel'],
  create(options, ctx) {
    appendFileSync(${JSON.stringify(marks)}, 'created\\n');
    return { name: ctx.name, type: 'marking', send: async () => appendFileSync(${JSON.stringify(marks)}, 'sent\\n') };
  },
};
`,
  );
  const HEAD = 'zoom: { account_id: a, client_id: c, client_secret: s }\nnotifiers:\n';
  const notifier = (name: string, options: string): string =>
    `  - name: ${name}\n    type: module\n    module: ./marking-notifier.mjs\n${options}`;

  // Old code: check said "valid" and exit 0; only run and notify-test found these.
  it("reports every module's option problems at file:line:col, exit 2, as notify-test does", async () => {
    const file = join(dir, 'check-bad.yaml');
    writeFileSync(
      file,
      HEAD +
        notifier('a', '    options: { retries: 9 }\n') +
        notifier('b', '    options:\n      channel: ""\n'),
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:6:14: notifiers[0].options.channel: missing required setting "channel"; expected a string`,
      `${file}:6:25: notifiers[0].options.retries: found 9; expected a whole number of at most 5`,
      `${file}:11:16: notifiers[1].options.channel: found an empty string; expected a non-empty string`,
    ]);
    expect(r.code).toBe(2);
    const sent = await runCli(['notify-test', '--config', file, '--notifier', 'b']);
    expect(sent.stderr.trim()).toBe(r.stderr.trim().split('\n')[2]);
    expect(existsSync(marks)).toBe(false);
  });

  it('says valid options are valid, and sends nothing', async () => {
    const file = join(dir, 'check-good.yaml');
    writeFileSync(file, HEAD + notifier('a', '    options: { channel: ops, retries: 2 }\n'));
    const r = await runCli(['check', '--config', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${file}: valid`);
    expect(r.code).toBe(0);
    expect(existsSync(marks)).toBe(false);
  });
});
