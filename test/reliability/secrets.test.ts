import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileInvalidError } from '../../src/util/file-errors.js';
import { loadConfig } from '../../src/config/load.js';
import { CLI, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZOOM = 'zoom:\n  account_id: a\n  client_id: c\n';

/** The problems loadConfig finds in `text`, one formatted line each. */
function problems(name: string, text: string | Buffer): string[] {
  const file = join(dir, name);
  writeFileSync(file, text);
  try {
    loadConfig(file, {});
  } catch (err) {
    if (err instanceof FileInvalidError) return err.message.split('\n');
    throw err;
  }
  return [];
}

/** Secret settings given values of the wrong type: each must be reported by position, never by value. */
const SECRET_INPUTS: { name: string; yaml: string; secret: string; line: number; path: string }[] = [
  {
    name: 'zoom numeric',
    yaml: `${ZOOM}  client_secret: 918273645546372900\n`,
    secret: '918273645546372',
    line: 4,
    path: 'zoom.client_secret',
  },
  {
    name: 'zoom float',
    yaml: `${ZOOM}  client_secret: 3.14159265358\n`,
    secret: '3.14159',
    line: 4,
    path: 'zoom.client_secret',
  },
  {
    name: 'zoom boolean',
    yaml: `${ZOOM}  client_secret: true\n`,
    secret: 'true',
    line: 4,
    path: 'zoom.client_secret',
  },
  {
    name: 'videosdk numeric',
    yaml: `${ZOOM}  client_secret: s\nsources:\n  sessions: true\nvideosdk:\n  api_key: k\n  api_secret: 55512345678901\n`,
    secret: '55512345678901',
    line: 9,
    path: 'videosdk.api_secret',
  },
  {
    name: 'webhook secret',
    yaml: `${ZOOM}  client_secret: s\nnotifiers:\n  - { name: hook, type: webhook, url: 'http://127.0.0.1:9/x', secret: 777666555444333 }\n`,
    secret: '777666555444333',
    line: 6,
    path: 'notifiers[0].secret',
  },
  {
    name: 'email password',
    yaml: `${ZOOM}  client_secret: s\nnotifiers:\n  - name: mail\n    type: email\n    host: smtp.example.com\n    from: a@example.com\n    to: [b@example.com]\n    password: 424242424242\n`,
    secret: '424242424242',
    line: 11,
    path: 'notifiers[0].password',
  },
  {
    name: 'slack token',
    yaml: `${ZOOM}  client_secret: s\nnotifiers:\n  - { name: s, type: slack, channel: '#x', token: 1234567890123 }\n`,
    secret: '1234567890123',
    line: 6,
    path: 'notifiers[0].token',
  },
  {
    name: 'slack token as a list',
    yaml: `${ZOOM}  client_secret: s\nnotifiers:\n  - { name: s, type: slack, channel: '#x', token: [xoxb-in-a-list-9988] }\n`,
    secret: 'xoxb-in-a-list-9988',
    line: 6,
    path: 'notifiers[0].token',
  },
  {
    name: 'webhook app secret token',
    yaml: `${ZOOM}  client_secret: s\nwebhooks:\n  apps:\n    - { name: qss, path: /zoom/qss, secret_token: 87654321 }\n`,
    secret: '87654321',
    line: 7,
    path: 'webhooks.apps[0].secret_token',
  },
  {
    name: 'webhook notifier header',
    yaml: `${ZOOM}  client_secret: s\nnotifiers:\n  - name: hook\n    type: webhook\n    url: 'http://127.0.0.1:9/x'\n    headers: { Authorization: 24681357 }\n`,
    secret: '24681357',
    line: 9,
    path: 'notifiers[0].headers.Authorization',
  },
  {
    name: 'alertmanager notifier header',
    yaml: `${ZOOM}  client_secret: s\nnotifiers:\n  - name: am\n    type: alertmanager\n    url: 'http://127.0.0.1:9/'\n    headers:\n      X-Api-Key: 13572468\n`,
    secret: '13572468',
    line: 10,
    path: 'notifiers[0].headers.X-Api-Key',
  },
  {
    name: 'headers given as one string',
    yaml: `${ZOOM}  client_secret: s\nnotifiers:\n  - { name: hook, type: webhook, url: 'http://127.0.0.1:9/x', headers: 'Bearer abc-secret-777' }\n`,
    secret: 'abc-secret-777',
    line: 6,
    path: 'notifiers[0].headers',
  },
  {
    name: 'basic auth plain password',
    yaml: `${ZOOM}  client_secret: s\nmetrics:\n  web:\n    basic_auth_users:\n      prometheus: my-plain-password-123\n`,
    secret: 'my-plain-password-123',
    line: 8,
    path: 'metrics.web.basic_auth_users.prometheus',
  },
];

describe('check never prints a secret setting’s value', () => {
  it.each(SECRET_INPUTS)('$name: position and kind, no value', ({ name, yaml, secret, line, path }) => {
    const lines = problems(`${name.replace(/\W/g, '-')}.yaml`, yaml);
    const line0 = lines.find((l) => l.includes(path));
    expect(line0, lines.join('\n')).toMatch(
      new RegExp(`:${line}:\\d+: ${path.replace(/[.[\]]/g, '\\$&')}: found .*not shown: a secret setting`),
    );
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('through the command too: numeric client_secret exits 2 (a config error) with the position and without the digits', async () => {
    const file = join(dir, 'numeric-cli.yaml');
    writeFileSync(file, `${ZOOM}  client_secret: 918273645546372900\n`);
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${file}:4:18: zoom.client_secret: found a number (not shown: a secret setting, quote it); expected a string`,
    );
    expect(r.stdout + r.stderr).not.toMatch(/9182736455|918273645546372900/);
  });
});

describe('a config file that is not UTF-8 text', () => {
  const SECRET = 'hunter2-super-secret';
  const yaml = `${ZOOM}  client_secret: ${SECRET}\n`;
  const cases: [string, Buffer, RegExp][] = [
    [
      'UTF-16 LE with BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(yaml, 'utf16le')]),
      /:1:1: not UTF-8 text: it is UTF-16/,
    ],
    [
      'UTF-16 BE with BOM',
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(yaml, 'utf16le').swap16()]),
      /:1:1: not UTF-8 text: it is UTF-16/,
    ],
    ['UTF-16 LE without BOM', Buffer.from(yaml, 'utf16le'), /:1:2: not UTF-8 text: it holds NUL bytes/],
    [
      'Latin-1',
      Buffer.from(`${ZOOM}  client_secret: caf\xe9-${SECRET}\n`, 'latin1'),
      /:4:\d+: not UTF-8 text: .* not a UTF-8 character/,
    ],
  ];
  it.each(cases)('%s: a clear error, no content echoed', async (_name, bytes, expected) => {
    const file = join(dir, `enc-${_name.replace(/\W/g, '-')}.yaml`);
    writeFileSync(file, bytes);
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2); // a configuration error
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).toContain('; expected UTF-8 text (save it as UTF-8)');
    for (const s of [SECRET, 'hunter', 'h\u0000u', 'client_secret']) expect(r.stderr).not.toContain(s);
  });

  it('a file that is one long value is not echoed whole', () => {
    const lines = problems('scalar.yaml', `just-a-secret-${'x'.repeat(500)}\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('found a string where a mapping of settings should be');
    expect(lines[0]).not.toContain('just-a-secret');
  });
});

describe('hash-password', () => {
  it('refuses a password over 72 bytes (bcrypt would ignore the rest), without echoing it', () => {
    const long = `${'é'.repeat(36)}x`; // 73 bytes in 37 characters
    const r = spawnSync(process.execPath, [CLI, 'hash-password'], { input: `${long}\n`, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the password is 73 bytes; expected at most 72');
    expect(r.stderr + r.stdout).not.toContain('éé');
    const ok = spawnSync(process.execPath, [CLI, 'hash-password'], {
      input: `${'é'.repeat(36)}\n`,
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^\$2b\$10\$/);
  });
});
