import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSnapshot, rereadConfig } from '../../src/app/config-reread.js';
import { MAX_SECRET_FILE_BYTES } from '../../src/util/secret-file.js';
import { secretValues } from '../../src/util/secret-values.js';
import { printed, startCli } from '../helpers/cli.js';
import { captureLog } from '../helpers/log.js';

/**
 * Tester (stop 40, MEDIUM): a `*_file` secret was read whole, with no bound: a 100 MB
 * `client_secret_file` passed `qoswatch check`, and `run` peaked at 891 MB; a 1.5 GB one took
 * 16 s to fail with `cannot read ./mid (ERR_STRING_TOO_LONG)`. The log hides the content of a
 * secret file of at most 64 KiB only (util/secret-values.ts), so a bigger one was used but not
 * hidden. Every secret file now has that one bound, refused by its size before it is read, at
 * the `*_file` setting: by `check`, by `run` at start-up, and by a SIGHUP, which keeps the
 * running configuration. The old code: `check` exit 0, `run` started, SIGHUP said "changed".
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-secret-size-'));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const OVER = MAX_SECRET_FILE_BYTES + 1;
write('big.txt', 'a'.repeat(OVER));
write('max.txt', 'b'.repeat(MAX_SECRET_FILE_BYTES));
write('small.txt', 'small-secret-1\n');
const zoom = (file: string): string =>
  `zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: ${file}\n`;
const TOO_BIG = `big.txt is ${OVER} bytes; expected a secret file of at most 64 KiB (a readable file holding`;

const running: ReturnType<typeof startCli>[] = [];
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
});

/** `qoswatch <command>` on `config` until it prints `pattern`: its output and exit code. */
async function cli(
  command: string,
  config: string,
  pattern: string,
): Promise<{ out: string; code: number | null }> {
  const p = startCli([command, '--config', config], { QOSWATCH_STATE_DIR: join(dir, `state-${command}`) });
  running.push(p);
  await printed(p, pattern, 30_000);
  const code = await Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
  return { out: p.output(), code };
}

describe('a secret file over 64 KiB', () => {
  it('is refused by check at the *_file setting, with its size and the bound; 64 KiB is taken', async () => {
    const config = write('zoom.yaml', zoom('big.txt'));
    const { out, code } = await cli('check', config, 'expected a secret file');
    expect(out).toContain(`${config}:4:23: zoom.client_secret_file: ${TOO_BIG} the secret)`);
    expect(code).toBe(2);
    const ok = await cli('check', write('max.yaml', zoom('max.txt')), 'valid');
    expect(ok.code).toBe(0);
  }, 90_000);

  it("is refused for a notifier's token_file, a webhook app's secret_token_file and a TLS key_file", async () => {
    const config = write(
      'others.yaml',
      zoom('small.txt') +
        'notifiers:\n  - { name: chat, type: slack, channel: "#x", token_file: big.txt }\n' +
        'route: { receiver: chat }\n' +
        'webhooks:\n  apps:\n    - { name: qss, path: /zoom/qss, secret_token_file: big.txt }\n' +
        'metrics:\n  web: { tls_server_config: { cert_file: max.txt, key_file: big.txt } }\n',
    );
    const { out, code } = await cli('check', config, 'expected a secret file');
    expect(out).toContain(`notifiers[0].token_file: ${TOO_BIG} the secret)`);
    expect(out).toContain(`webhooks.apps[0].secret_token_file: ${TOO_BIG} the secret token)`);
    expect(out).toContain(
      `metrics.web.tls_server_config.key_file: big.txt is ${OVER} bytes; expected a secret file of at most 64 KiB (a PEM file)`,
    );
    expect(code).toBe(2);
  }, 60_000);

  it('stops run at start-up, exit 2', async () => {
    const config = write('run.yaml', zoom('big.txt'));
    const { out, code } = await cli('run', config, 'expected a secret file');
    expect(out).toContain(`${config}:4:23: zoom.client_secret_file: ${TOO_BIG}`);
    expect(code).toBe(2);
  }, 60_000);

  it('grown into one after start: SIGHUP keeps the running configuration and says why', () => {
    const secret = write('grows.txt', 'small-secret-2\n');
    const config = write('reread.yaml', zoom(secret));
    const snapshot = configSnapshot(config);
    writeFileSync(secret, 'c'.repeat(OVER));
    const { log, lines } = captureLog();
    rereadConfig(config, snapshot, log, {});
    expect(lines.map((l) => l.msg)).toEqual([
      `${config} not applied: the running configuration is kept, and a restart would fail with:\n` +
        `${config}:4:23: zoom.client_secret_file: ${secret} is ${OVER} bytes; expected a secret file of at most 64 KiB (a readable file holding the secret)`,
    ]);
  });

  it('is the bound the log hides secret files up to: one the config takes (64 KiB) is hidden whole', () => {
    expect(secretValues({ zoom: { client_secret_file: 'max.txt' } }, dir)).toEqual(
      new Set(['b'.repeat(MAX_SECRET_FILE_BYTES)]),
    );
  });
});
