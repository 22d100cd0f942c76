import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSnapshot, rereadConfig } from '../../src/app/config-reread.js';
import { loadConfig } from '../../src/config/load.js';
import { MAX_CERT_FILE_BYTES, MAX_SECRET_FILE_BYTES } from '../../src/util/secret-file.js';
import { secretValues } from '../../src/util/secret-values.js';
import { runUntilPrinted } from '../helpers/cli.js';
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

/** `qoswatch <command>` on `config` until it prints `pattern`: its output and exit code. */
const cli = (
  command: string,
  config: string,
  pattern: string,
): Promise<{ out: string; code: number | null }> =>
  runUntilPrinted([command, '--config', config], pattern, {
    QOSWATCH_STATE_DIR: join(dir, `state-${command}`),
  });

/** What a SIGHUP logs once `file`, which `config` names, has grown to `bytes` after start. */
function sighupAfterGrowing(config: string, file: string, bytes: number): string[] {
  const snapshot = configSnapshot(config);
  writeFileSync(file, 'c'.repeat(bytes));
  const { log, lines } = captureLog();
  rereadConfig(config, snapshot, log, {});
  return lines.map((l) => l.msg);
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
    expect(sighupAfterGrowing(config, secret, OVER)).toEqual([
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

/**
 * A TLS `cert_file` and an e-mail `ca_file` were read whole, with no bound (a key_file and every
 * secret file have 64 KiB): now at most 1 MiB, refused by size before reading, at the setting, by
 * `check`, by `run` at start-up and by a SIGHUP (which keeps the running configuration). The
 * old code: `check` exit 0 (it did not read ca_file at all, so a missing one passed too), and
 * `run` said "cannot start: ENOENT: no such file or directory, open '...'" with no file:line:col.
 */
const CERT_OVER = MAX_CERT_FILE_BYTES + 1;
write('big.pem', 'a'.repeat(CERT_OVER));
write('max.pem', 'b'.repeat(MAX_CERT_FILE_BYTES));
write('ca.pem', '-----BEGIN CERTIFICATE-----\n');
const HEAD = 'zoom: { account_id: a, client_id: c, client_secret: s }\nsources: { webinars: false }\n';
const email = (ca: string): string =>
  `notifiers:\n  - { name: m, type: email, host: 127.0.0.1, from: a@b.c, to: [x@y.z], ca_file: ${ca} }\n`;
const CERT_TOO_BIG = `big.pem is ${CERT_OVER} bytes; expected a certificate file of at most 1 MiB`;

describe('a certificate file over 1 MiB', () => {
  it('is refused by check at the setting: TLS cert_file (metrics, webhooks), e-mail ca_file', async () => {
    const config = write(
      'check.yaml',
      HEAD +
        email('big.pem') +
        '  - { name: n, type: email, host: 127.0.0.1, from: a@b.c, to: [x@y.z], ca_file: none.pem }\n' +
        'route: { receiver: m }\n' +
        'metrics:\n  web: { tls_server_config: { cert_file: big.pem, key_file: ca.pem } }\n' +
        'webhooks:\n  web: { tls_server_config: { cert_file: big.pem, key_file: ca.pem } }\n' +
        '  apps:\n    - { name: qss, path: /zoom/qss, secret_token: aaaaaaaaaaaaaaaaaaaaaa }\n',
    );
    const { out, code } = await cli('check', config, 'expected a certificate file of at most');
    expect(out).toContain(
      `${config}:4:81: notifiers[0].ca_file: ${CERT_TOO_BIG} (a PEM file of CA certificates)`,
    );
    expect(out).toContain(
      `${config}:5:81: notifiers[1].ca_file: cannot read none.pem (ENOENT); expected a PEM file of CA certificates`,
    );
    expect(out).toContain(`metrics.web.tls_server_config.cert_file: ${CERT_TOO_BIG} (a PEM file)`);
    expect(out).toContain(`webhooks.web.tls_server_config.cert_file: ${CERT_TOO_BIG} (a PEM file)`);
    expect(code).toBe(2);
  }, 60_000);

  it('1 MiB is taken', async () => {
    const ok = await cli('check', write('max.yaml', HEAD + email('max.pem')), 'valid');
    expect(ok.code).toBe(0);
  }, 60_000);

  it('stops run at start-up, exit 2', async () => {
    const config = write('run.yaml', HEAD + email('big.pem'));
    const { out, code } = await cli('run', config, 'expected a certificate file of at most');
    expect(out).toContain(`${config}:4:81: notifiers[0].ca_file: ${CERT_TOO_BIG}`);
    expect(code).toBe(2);
  }, 60_000);

  it('grown into one after start: SIGHUP keeps the running configuration and says why', () => {
    const ca = write('grows.pem', '-----BEGIN CERTIFICATE-----\n');
    const config = write('reread-ca.yaml', HEAD + email(ca));
    expect(sighupAfterGrowing(config, ca, CERT_OVER)).toEqual([
      `${config} not applied: the running configuration is kept, and a restart would fail with:\n` +
        `${config}:4:81: notifiers[0].ca_file: ${ca} is ${CERT_OVER} bytes; expected a certificate file of at most 1 MiB (a PEM file of CA certificates)`,
    ]);
  });

  it("a relative ca_file is the config folder's, as check reads it (it was the working folder's)", () => {
    const config = write('relative.yaml', HEAD + email('ca.pem'));
    const notifier = loadConfig(config).notify.notifiers[0];
    expect(notifier).toMatchObject({ settings: { ca_file: join(dir, 'ca.pem') } });
  });
});
