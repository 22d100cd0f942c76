import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * An error main.ts prints (`qoswatch run: cannot start: ...`) hides the loaded configuration's
 * secret values (util/log-secrets.ts processSecrets), not only the patterns: before, main.ts did
 * not have the configuration, and an error repeating a secret in its own words went out whole.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-start-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'plainsecretvalue42';

// A module of one's own whose create() fails saying its token, in words no pattern knows.
writeFileSync(
  join(dir, 'throw-notifier.mjs'),
  `export default { type: 'thrower', properties: { token: { type: 'string' } }, create(options) {
  throw new Error('the relay refused ' + options.token + ' at start');
} };\n`,
);
const NOTIFIER = `notifiers:\n  - { name: mine, type: module, module: ./throw-notifier.mjs, options: { token: ${SECRET} } }\n`;

describe("an error printed by main.ts after the config is read hides the config's secret values", () => {
  it('qoswatch run: cannot start: ...', async () => {
    const file = join(dir, 'run.yaml');
    writeFileSync(
      file,
      'zoom:\n  account_id: a\n  client_id: c\n  client_secret: zoomsecretvalue77\n' +
        '  api_url: http://127.0.0.1:8/v2\n  oauth_url: http://127.0.0.1:8/oauth/token\n' +
        `state:\n  dir: ${join(dir, 'state')}\nmetrics:\n  listen: 127.0.0.1:0\n${NOTIFIER}`,
    );
    const r = await runCli(['run', '--config', file]);
    // Old code: "qoswatch run: cannot start: the relay refused plainsecretvalue42 at start".
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).toContain('qoswatch run: cannot start: the relay refused [redacted] at start\n');
    expect(r.code).toBe(1);
  }, 30_000);

  it('qoswatch notify-test: ...', async () => {
    const file = join(dir, 'notify.yaml');
    writeFileSync(file, NOTIFIER);
    const r = await runCli(['notify-test', '--config', file, '--notifier', 'mine']);
    // Old code: "qoswatch notify-test: the relay refused plainsecretvalue42 at start".
    expect(r.stderr).toBe('qoswatch notify-test: the relay refused [redacted] at start\n');
    expect(r.code).toBe(1);
  }, 30_000);
});
