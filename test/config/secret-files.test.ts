import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { configErrorOf } from '../helpers/config-error.js';

/**
 * A secret given as a file (`client_secret_file`, a notifier's `token_file`) is hidden as an
 * inline one is wherever the file's problems quote it: copied into another setting, or named as
 * a key. One place hides them all: YamlSource.problemAt (stop 38, LOW).
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-secret-files-'));
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const HIDDEN = "(not shown: a secret's value)";
write('client-secret.txt', 'FILESECRET-123\n');
write('slack-token.txt', 'xoxb-FILETOKEN-456\n');
const ZOOM = 'zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: client-secret.txt\n';

describe("a secret file's content in another setting's problem", () => {
  it('is not shown where the schema, a section or the routes quote it', () => {
    // Old code: `poll.min_interval: found "FILESECRET-123"; expected a duration`, `.../FILESECRET-123
    // not found`, `route.receiver: found "xoxb-FILETOKEN-456"; expected the name of a notifier`.
    const file = write(
      'copied.yaml',
      ZOOM +
        'poll: { min_interval: FILESECRET-123 }\n' +
        'rules: { paths: [FILESECRET-123] }\n' +
        'notifiers:\n  - { name: chat, type: slack, channel: "#x", token_file: slack-token.txt }\n' +
        'route: { receiver: xoxb-FILETOKEN-456 }\n',
    );
    const msg = configErrorOf(file);
    expect(msg).toContain(
      `copied.yaml:5:23: poll.min_interval: found a string ${HIDDEN}; expected a duration`,
    );
    expect(msg).toMatch(/copied\.yaml:6:18: rules\.paths\[0\]: .*\(not shown: a secret's value\) not found/);
    expect(msg).toContain(
      `copied.yaml:9:20: route.receiver: found ${HIDDEN}; expected the name of a notifier`,
    );
    expect(msg).not.toMatch(/FILESECRET|FILETOKEN/);
  });

  it('is not shown where an unknown setting is named by it, nor an inline secret', () => {
    // Old code: `poll.FILESECRET-123: unknown setting "FILESECRET-123"` (atKey made its problem
    // without YamlSource.problemAt; load.ts hid the inline secrets, not the files'), and
    // `videosdk.INLINESECRET-789: unknown setting (not shown…)`: a problem's path was never hidden.
    const file = write(
      'pasted-key.yaml',
      ZOOM +
        'poll: { FILESECRET-123: 1 }\nvideosdk: { api_key: k, api_secret: INLINESECRET-789, INLINESECRET-789: 2 }\n',
    );
    const msg = configErrorOf(file);
    expect(msg).toContain(`pasted-key.yaml:5:9: poll.${HIDDEN}: unknown setting ${HIDDEN}; expected one of`);
    expect(msg).toContain(
      `pasted-key.yaml:6:55: videosdk.${HIDDEN}: unknown setting ${HIDDEN}; expected one of`,
    );
    expect(msg).not.toMatch(/FILESECRET|INLINESECRET/);
  });

  it('still names a secret file that cannot be read, and hides nothing else', () => {
    const file = write(
      'unread.yaml',
      'zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: missing.txt\npoll: { min_interval: missing }\n',
    );
    const msg = configErrorOf(file);
    expect(msg).toContain('unread.yaml:4:23: zoom.client_secret_file: cannot read missing.txt (ENOENT)');
    expect(msg).toContain('unread.yaml:5:23: poll.min_interval: found "missing"; expected a duration');
  });
});

describe("a TLS key_file's content", () => {
  it('is not shown where another setting holds it, whole or a line of it', () => {
    const key = readFileSync(fromRoot('test', 'fixtures', 'tls', 'key.pem'), 'utf8');
    copyFileSync(fromRoot('test', 'fixtures', 'tls', 'cert.pem'), join(dir, 'cert.pem'));
    write('key.pem', key);
    const line = key.split('\n')[1]!;
    const indented = key.trim().replace(/\n/g, '\n      ');
    const file = write(
      'tls-key.yaml',
      `${ZOOM}metrics:\n  web:\n    tls_server_config: { cert_file: cert.pem, key_file: key.pem }\n` +
        `poll: { min_interval: ${line} }\nroute:\n  receiver: |-\n      ${indented}\n`,
    );
    const msg = configErrorOf(file);
    // Old code: `poll.min_interval: found "MIIEvAIBADANBgkq…"` and `route.receiver: found "-----BEGIN PRIVATE KEY-----\nMIIE…"`.
    expect(msg).toContain(
      `tls-key.yaml:8:23: poll.min_interval: found a string ${HIDDEN}; expected a duration`,
    );
    expect(msg).toMatch(/tls-key\.yaml:10:\d+: route\.receiver: found \(not shown: a secret's value\)/);
    expect(msg).not.toContain(line.slice(0, 16));
    expect(msg).not.toContain('PRIVATE KEY');
  });
});

describe('a secret inside a longer value the problem cuts at 60 characters (stop 39)', () => {
  it('is hidden before the cut: no part of it is left', () => {
    // Old code: `zoom.timeout: found "xx…x FILESEC…"`: cut first, the rest no longer the
    // secret the problem hides.
    const file = write('cut.yaml', `${ZOOM}  timeout: "${'x'.repeat(50)} FILESECRET-123"\n`);
    const msg = configErrorOf(file);
    expect(msg).toContain(
      `cut.yaml:5:12: zoom.timeout: found "${'x'.repeat(50)} (not sh…"; expected a duration`,
    );
    expect(msg).not.toMatch(/FILESEC/);
  });
});
