import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configErrorOf } from '../helpers/config-error.js';
import { loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-webhooks-config-'));
const ZOOM = 'zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n';
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), ZOOM + text);
  return join(dir, name);
};
const errorOf = (file: string): string => configErrorOf(file);

describe('the webhooks section', () => {
  it('is absent by default: polling only', () => {
    expect(loadConfig(write('none.yaml', ''), {}).webhooks).toBeUndefined();
  });

  it('reads each app secret token from the environment or a file, with documented defaults', () => {
    writeFileSync(join(dir, 'token'), 'from-a-file\n');
    const c = loadConfig(
      write(
        'ok.yaml',
        'webhooks:\n  apps:\n    - name: main\n      path: /zoom/qss\n      secret_token: ${QSS_TOKEN}\n' +
          '    - name: sdk\n      path: /zoom/sdk\n      secret_token_file: token\n' +
          '    - { name: sim, path: /sim, secret_token: t, event_clock: follow }\n',
      ),
      { QSS_TOKEN: 'from-env' },
    );
    expect(c.webhooks).toEqual({
      host: '0.0.0.0',
      port: 9782,
      apps: [
        { name: 'main', path: '/zoom/qss', secretToken: 'from-env', eventClock: 'zoom' },
        { name: 'sdk', path: '/zoom/sdk', secretToken: 'from-a-file', eventClock: 'zoom' },
        { name: 'sim', path: '/sim', secretToken: 't', eventClock: 'follow' },
      ],
      maxBodyBytes: 65_536,
      maxAgeMs: 300_000,
      takeoverAfterMs: 180_000,
      recheckEveryMs: 600_000,
    });
  });

  const cases: { name: string; yaml: string; want: string }[] = [
    {
      name: 'a missing secret token',
      yaml: 'webhooks:\n  apps:\n    - name: main\n      path: /zoom/qss\n',
      want: 'ok.yaml:7:7: webhooks.apps[0]: missing required setting "secret_token"; expected secret_token or secret_token_file (a file holding it) in the app: its Secret Token from the Zoom app',
    },
    {
      name: 'a secret token given twice',
      yaml: 'webhooks:\n  apps:\n    - { name: main, path: /q, secret_token: t, secret_token_file: f }\n',
      want: 'webhooks.apps[0].secret_token_file: both secret_token and secret_token_file are set; expected one of them',
    },
    {
      name: 'the metrics port',
      yaml: 'metrics:\n  listen: 127.0.0.1:9100\nwebhooks:\n  listen: 0.0.0.0:9100\n  apps:\n    - { name: a, path: /a, secret_token: t }\n',
      want: "webhooks.listen: found port 9100, the metrics endpoint's; expected an address of its own",
    },
    {
      name: 'two apps on one path',
      yaml: 'webhooks:\n  apps:\n    - { name: a, path: /q, secret_token: t }\n    - { name: b, path: /q, secret_token: u }\n',
      want: 'path /q is used twice; give each app its own',
    },
    {
      name: 'a path that is not a path',
      yaml: 'webhooks:\n  apps:\n    - { name: a, path: "zoom qss", secret_token: t }\n',
      want: 'a URL path such as /zoom/qss',
    },
    {
      name: 'an unreadable token file',
      yaml: 'webhooks:\n  apps:\n    - { name: a, path: /a, secret_token_file: nope }\n',
      want: 'cannot read nope (ENOENT); expected a readable file holding the secret token',
    },
    {
      name: 'a bad duration',
      yaml: 'webhooks:\n  takeover_after: soon\n  apps:\n    - { name: a, path: /a, secret_token: t }\n',
      want: 'webhooks.takeover_after',
    },
    {
      name: 'a recheck shorter than a minute',
      yaml: 'webhooks:\n  recheck_every: 30s\n  apps:\n    - { name: a, path: /a, secret_token: t }\n',
      want: 'ok.yaml:6:18: webhooks.recheck_every: found "30s"; expected a duration from 1m to 24h',
    },
    {
      name: 'an event clock that is neither zoom nor follow',
      yaml: 'webhooks:\n  apps:\n    - name: a\n      path: /a\n      secret_token: t\n      event_clock: simulator\n',
      want: 'ok.yaml:10:20: webhooks.apps[0].event_clock: found "simulator"; expected one of "zoom", "follow"',
    },
  ];
  for (const c of cases)
    it(`stops start-up with file:line:col on ${c.name}`, () => {
      const file = write('ok.yaml', c.yaml);
      const msg = errorOf(file);
      expect(msg).toContain(c.want);
      expect(msg).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: `));
    });

  it('never shows a secret token in an error', () => {
    const msg = errorOf(
      write(
        'secret.yaml',
        'webhooks:\n  max_age: never\n  apps:\n    - { name: a, path: /a, secret_token: sup3r-s3cret-t0ken }\n',
      ),
    );
    expect(msg).not.toContain('sup3r-s3cret-t0ken');
  });
});
