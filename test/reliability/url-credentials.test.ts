import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { loggedText } from '../helpers/log.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-url-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each URL setting given `user:password@`, every password different, one through the environment. */
const SECRETS = [
  'SEKRIT-api-1',
  'SEKRIT-oauth-2',
  'SEKRIT-hook-3',
  'SEKRIT-am-4',
  'SEKRIT-slack-5',
  'SEKRIT-env-6',
];
const CONFIG = `zoom:
  account_id: a
  client_id: c
  client_secret: s
  api_url: 'https://u:${SECRETS[0]}@api.example.com'
  oauth_url: 'https://u:${SECRETS[1]}@zoom.example.com/oauth/token'
notifiers:
  - { name: hook, type: webhook, url: 'http://user:${SECRETS[2]}@127.0.0.1:9/x' }
  - { name: am, type: alertmanager, url: 'http://user:${SECRETS[3]}@127.0.0.1:9/' }
  - { name: slack, type: slack, channel: '#x', token: xoxb-t, api_url: 'http://user:${SECRETS[4]}@127.0.0.1:9/api/' }
  - { name: envhook, type: webhook, url: '\${HOOK_URL}' }
state:
  dir: ${join(dir, 'state')}
`;
const ENV = { HOOK_URL: `http://x:${SECRETS[5]}@127.0.0.1:9/y` };

function expectNoSecret(text: string): void {
  for (const s of SECRETS) expect(text).not.toContain(s);
  expect(text).not.toContain('SEKRIT');
}

describe('a URL with user:password@ is never printed with its credentials', () => {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, CONFIG);

  it.each([
    ['check', ['check', '--config', file]],
    ['run', ['run', '--config', file]],
    ['notify-test', ['notify-test', '--config', file, '--notifier', 'hook']],
  ])(
    '%s: every URL setting is named at file:line:col with [redacted]@ in place of its credentials',
    async (_n, args) => {
      const r = await runCli(args, ENV);
      expect(r.code).toBe(2);
      expectNoSecret(r.stdout + r.stderr);
      for (const [line, path, shown] of [
        [5, 'zoom.api_url', 'https://[redacted]@api.example.com'],
        [6, 'zoom.oauth_url', 'https://[redacted]@zoom.example.com/oauth/token'],
        [8, 'notifiers[0].url', 'http://[redacted]@127.0.0.1:9/x'],
        [9, 'notifiers[1].url', 'http://[redacted]@127.0.0.1:9/'],
        [10, 'notifiers[2].api_url', 'http://[redacted]@127.0.0.1:9/api/'],
        [11, 'notifiers[3].url', 'http://[redacted]@127.0.0.1:9/y'],
      ] as const) {
        expect(r.stderr).toContain(`${file}:${line}:`);
        expect(r.stderr).toContain(
          `${path}: found "${shown}", which carries user:password@; expected an http(s) URL`,
        );
      }
    },
  );

  it('a URL whose user:password no parser reads (a space, a quote, a / or a \\ in it): nothing between :// and the last @ is shown', async () => {
    const odd = ['SEKRIT 7', 'SEKRIT"8', 'SEKRIT/9', 'SEKRIT\\10', 'SEKRIT@11'];
    const bad = join(dir, 'odd-userinfo.yaml');
    writeFileSync(
      bad,
      `zoom: { account_id: a, client_id: c, client_secret: s }\nnotifiers:\n` +
        odd.map((p, i) => `  - { name: h${i}, type: webhook, url: 'http://us er:${p}@x/' }\n`).join(''),
    );
    const r = await runCli(['check', '--config', bad]);
    expect(r.code).toBe(2);
    expectNoSecret(r.stdout + r.stderr);
    expect(r.stderr).not.toContain('us er');
    odd.forEach((_p, i) =>
      expect(r.stderr).toContain(
        `${bad}:${i + 3}:37: notifiers[${i}].url: found "http://[redacted]@x/", which `,
      ),
    );
  });

  it('inspect --daemon with credentials in the URL: the error names the URL without them', async () => {
    const r = await runCli(['inspect', '--daemon', `http://u:${SECRETS[0]}@127.0.0.1:9/`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('[redacted]@127.0.0.1:9');
    expectNoSecret(r.stdout + r.stderr);
  });
});

const logged = loggedText;

describe('the log never carries a URL’s credentials', () => {
  it('in a message, a logged value or a logged error', () => {
    const out = logged((log) => {
      log.warn(`delivery failed: POST https://me:${SECRETS[0]}@hooks.example.com/x: 500`);
      log.info({ endpoint: `http://me:${SECRETS[1]}@[::1]:80/p`, list: [`ws://a:${SECRETS[2]}@h`] }, 'x');
      log.error({ err: new Error(`fetch http://me:${SECRETS[3]}@h/ failed`) }, 'y');
      log.info('%s', `smtp://mailer:${SECRETS[4]}@smtp.example.com:587`);
    });
    expectNoSecret(out);
    expect(out.match(/\[redacted\]@/g)).toHaveLength(6);
    expect(out).toContain('https://[redacted]@hooks.example.com/x');
    expect(out).toContain('smtp://[redacted]@smtp.example.com:587');
  });
});

describe('a secret holding spaces, quotes, @, /, % or unicode is hidden whole', () => {
  /** Each password has SEKRIT at both ends: neither end may show. */
  const NASTY = [
    'SEKRIT pa ss SEKRIT',
    'SEKRIT"quo\'te`SEKRIT',
    'SEKRIT@at@SEKRIT',
    'SEKRIT/sl/ash?#SEKRIT',
    'SEKRIT%40%20SEKRIT',
    'SEKRITпароль密码🔑SEKRIT',
    'SEKRIT\\back\\SEKRIT',
  ];

  it.each(NASTY)('in a URL: smtp://mailer:%s@host', (pw) => {
    const out = logged((log) => {
      log.warn(`send failed: smtp://mailer:${pw}@smtp.example.com:587: refused`);
      log.info({ endpoint: `http://me:${pw}@h.example.com/p` }, 'x');
      log.error({ err: new Error(`fetch https://me:${pw}@h.example.com/ failed`) }, 'y');
    });
    expect(out).not.toContain('SEKRIT');
    expect(out).not.toContain('mailer');
    expect(out).toContain('smtp://[redacted]@smtp.example.com:587: refused');
    expect(out).toContain('http://[redacted]@h.example.com/p');
    expect(out).toContain('https://[redacted]@h.example.com/ failed');
  });

  it.each(NASTY)('in a key=value: password=%s', (pw) => {
    const quoted = JSON.stringify(pw);
    const out = logged((log) => {
      log.warn(`login refused: user=bob password=${pw} host=smtp.example.com`);
      log.warn(`login refused: password=${quoted} (535)`);
      log.warn(`login refused: client_secret='${pw.replaceAll("'", "\\'")}' next`);
      log.warn(`GET /x?access_token=${encodeURIComponent(pw)}&page=2`);
      log.info({ body: `{"user":"bob","secret_token":${quoted},"n":1}` }, 'answer');
    });
    expect(out).not.toContain('SEKRIT');
    expect(out).toContain('user=bob password=[redacted] host=smtp.example.com');
    expect(out).toContain('password=[redacted] (535)');
    expect(out).toContain('client_secret=[redacted] next');
    expect(out).toContain('access_token=[redacted]&page=2');
    expect(out).toContain('\\"secret_token\\":[redacted],\\"n\\":1}');
  });

  it('in any command’s error output (a URL with a space in its password)', async () => {
    const r = await runCli(['check', '--config', `${dir}/http://u:SEKRIT pa ss@x/c.yaml`]);
    expect(r.code).toBe(2);
    expectNoSecret(r.stdout + r.stderr);
    expect(r.stderr).toContain('http://[redacted]@x/c.yaml');
  });

  it('a URL before another on the line keeps its host (the proxy line, a call failed through a proxy)', () => {
    const out = logged((log) => {
      log.info('Zoom calls go https:// through http://u:SEKRIT pa ss@proxy:3128 (HTTPS_PROXY)');
      log.warn('GET https://api.zoom.us/v2/x: ECONNREFUSED through the proxy http://u:SEKRIT"x@proxy:3128');
    });
    expect(out).not.toContain('SEKRIT');
    expect(out).toContain('Zoom calls go https:// through http://[redacted]@proxy:3128 (HTTPS_PROXY)');
    expect(out).toContain(
      'GET https://api.zoom.us/v2/x: ECONNREFUSED through the proxy http://[redacted]@proxy:3128',
    );
  });

  it('a stack trace keeps its file:// paths, @scope folders included', () => {
    const e = new Error('x');
    e.stack = 'Error: x\n    at f (file:///app/node_modules/@slack/web-api/dist/a.js:1:2)';
    const out = logged((log) => log.error({ err: e }, 'y'));
    expect(out).toContain('file:///app/node_modules/@slack/web-api/dist/a.js:1:2');
  });
});
