import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { settingWarnings } from '../../src/config/setting-warnings.js';
import { formatProblem } from '../../src/util/file-errors.js';
import { runCli } from '../helpers/cli.js';

/** Valid settings that are weak or exposed: warned of at file:line:col, never refused. */

const dir = mkdtempSync(join(tmpdir(), 'qw-setting-warnings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ZOOM = 'zoom: { account_id: a, client_id: c, client_secret: s }\n';
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), ZOOM + text);
  return join(dir, name);
};
const warningsOf = (name: string, text: string, env: Record<string, string> = {}): string[] =>
  settingWarnings(loadConfig(write(name, text), env)).map(formatProblem);
const TOKEN = 'Zoom-Sample-Token-0123'; // 22 characters, as Zoom's are

describe('webhooks settings that are valid but weak or exposed', () => {
  it('a secret token shorter than Zoom’s 22 characters, inline or from a file; the token is never shown', () => {
    writeFileSync(join(dir, 'short-token'), 'kQ7x\n');
    const w = warningsOf(
      'short.yaml',
      'webhooks:\n  listen: 127.0.0.1:9782\n  apps:\n    - { name: main, path: /a, secret_token: "${QSS}" }\n' +
        '    - name: file\n      path: /b\n      secret_token_file: short-token\n' +
        `    - { name: zoom, path: /c, secret_token: ${TOKEN} }\n`,
      { QSS: 'z' },
    );
    expect(w).toEqual([
      `${dir}/short.yaml:5:45: webhooks.apps[0].secret_token: app "main": the secret token is 1 character long; expected the app's Secret Token as Zoom shows it (22 characters): a short one is easy to guess, and whoever guesses it can push forged QoS`,
      `${dir}/short.yaml:8:26: webhooks.apps[1].secret_token_file: app "file": the secret token is 4 characters long; expected the app's Secret Token as Zoom shows it (22 characters): a short one is easy to guess, and whoever guesses it can push forged QoS`,
    ]);
    expect(w.join('\n')).not.toContain('kQ7x');
  });

  it('webhooks.listen on every interface without TLS, written or left at its default', () => {
    const apps = `  apps:\n    - { name: main, path: /a, secret_token: ${TOKEN} }\n`;
    expect(warningsOf('any.yaml', `webhooks:\n  listen: 0.0.0.0:9790\n${apps}`)).toEqual([
      `${dir}/any.yaml:3:11: webhooks.listen: 0.0.0.0:9790: Zoom's requests (and their signatures) arrive in plain HTTP on every interface; expected 127.0.0.1:9790 behind a TLS reverse proxy (docs/webhooks.md), or webhooks.web.tls_server_config to serve HTTPS`,
    ]);
    expect(warningsOf('v6.yaml', `webhooks:\n  listen: '[::]:9790'\n${apps}`)[0]).toContain(
      'webhooks.listen: [::]:9790: ',
    );
    expect(warningsOf('default.yaml', `webhooks:\n${apps}`)).toEqual([
      `${dir}/default.yaml:2:1: webhooks: listen is left at the default 0.0.0.0:9782: Zoom's requests (and their signatures) arrive in plain HTTP on every interface; expected 127.0.0.1:9782 behind a TLS reverse proxy (docs/webhooks.md), or webhooks.web.tls_server_config to serve HTTPS`,
    ]);
    // hT40b: each of these binds every interface too, and was not warned of.
    for (const listen of ['0:9790', "'[::0]:9790'", "'[0:0:0:0:0:0:0:0]:9790'", '0.0:9790'])
      expect(warningsOf('other.yaml', `webhooks:\n  listen: ${listen}\n${apps}`)).toEqual([
        expect.stringContaining('on every interface'),
      ]);
    for (const listen of ['127.0.0.1:9790', "'[::1]:9790'", 'localhost:9790', '10.0.0.1:9790'])
      expect(warningsOf('local.yaml', `webhooks:\n  listen: ${listen}\n${apps}`)).toEqual([]);
    expect(warningsOf('none.yaml', '')).toEqual([]);
  });

  it('qoswatch check says them on stderr and exits 0', async () => {
    const file = write(
      'check.yaml',
      'webhooks:\n  listen: 0.0.0.0:9790\n  apps:\n    - { name: main, path: /a, secret_token: kQ7x }\n',
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: ${file}:3:11: webhooks.listen: 0.0.0.0:9790: Zoom's requests`);
    expect(r.stderr).toContain(
      `warning: ${file}:5:45: webhooks.apps[0].secret_token: app "main": the secret token is 4 characters long`,
    );
    expect(r.stdout + r.stderr).not.toContain('kQ7x');
  });
});

describe('an alertmanager url that already names the API', () => {
  // The old code missed the case and the paths under the API (hT40 LOW): '/API/V2' on.
  it.each([
    '/api/v2',
    '/api/v1/',
    '/prefix/api/v2/',
    '/alerts',
    '/API/V2',
    '/api',
    '/api/v2/silences',
    '/Api/V1/Alerts/',
    '/prefix/api/v2/status',
    '/ALERTS',
  ])('…%s is warned of at the url: /api/v2/alerts is appended', (path) => {
    const w = warningsOf(
      'am.yaml',
      `notifiers:\n  - name: am\n    type: alertmanager\n    url: http://am:9093${path}\nroute: { receiver: am }\n`,
    );
    const end = path.replace(/\/prefix/, '').replace(/\/$/, '');
    expect(w).toEqual([
      `${dir}/am.yaml:5:10: notifiers[0].url: the url's path ends in ${end}, and qoswatch appends /api/v2/alerts to it (posting to ...${end}/api/v2/alerts, which Alertmanager answers 404); expected Alertmanager's base URL such as http://alertmanager:9093 (or http://host/prefix behind a path prefix)`,
    ]);
  });

  it('qoswatch check says it on stderr at the url and exits 0, the url not printed', async () => {
    const file = write(
      'am-check.yaml',
      `notifiers:\n  - name: am\n    type: alertmanager\n    url: http://am:9093/API/V2/Silences\nroute: { receiver: am }\n`,
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code, r.stderr).toBe(0);
    // The old code: no warning (its pattern was lower case, and ended at /api/v1 or /api/v2).
    expect(r.stderr).toBe(
      `warning: ${file}:5:10: notifiers[0].url: the url's path ends in /API/V2/Silences, and qoswatch appends /api/v2/alerts to it (posting to .../API/V2/Silences/api/v2/alerts, which Alertmanager answers 404); expected Alertmanager's base URL such as http://alertmanager:9093 (or http://host/prefix behind a path prefix)\n`,
    );
  });

  it('a base url, with or without a path prefix (one with an api word in it too), is not', () => {
    for (const u of [
      'http://am:9093',
      'http://am:9093/',
      'http://h/alertmanager',
      'http://h/api-gw',
      'http://h/api/alertmanager',
      'http://h/apis',
    ])
      expect(
        warningsOf(
          'am-ok.yaml',
          `notifiers:\n  - { name: am, type: alertmanager, url: '${u}' }\nroute: { receiver: am }\n`,
        ),
      ).toEqual([]);
  });
});

describe('an e-mail notifier that sends its password in clear text (hT44 F4)', () => {
  const mail = (security: string, host = 'smtp.example.com', auth = 'user: qw, password: "${SMTP_PW}"') =>
    `notifiers:\n  - name: mail\n    type: email\n    host: ${host}\n    port: 25\n    security: ${security}\n    ${auth.replace(', ', '\n    ')}\n    from: qw@example.com\n    to: [noc@example.com]\nroute: { receiver: mail }\n`;
  const PW = 'Sm7p-Pa55w0rd';

  it('security: none with a password to another machine is warned of at security; the password never shown', () => {
    const w = warningsOf('mail.yaml', mail('none'), { SMTP_PW: PW });
    expect(w).toEqual([
      `${dir}/mail.yaml:7:15: notifiers[0].security: notifier "mail": security: none sends the SMTP password and the alerts to "smtp.example.com" in clear text; expected security: starttls (port 587) or tls (port 465), or none only for a relay on this machine`,
    ]);
    expect(w.join('\n')).not.toContain(PW);
  });

  it('a host written with a line break or a control character is shown escaped: the warning is one line (rA44)', () => {
    const w = warningsOf('mail-break.yaml', mail('none', '"smtp.example.com\\nfake: line\\u001b[2J"'), {
      SMTP_PW: PW,
    });
    expect(w).toHaveLength(1);
    expect(Array.from(w[0]!).filter((c) => c < ' ')).toEqual([]); // no line break, no escape character
    expect(w[0]).toContain('the alerts to "smtp.example.com\\nfake: line\\u001b[2J" in clear text;');
  });

  it('not for TLS, a relay on this machine, or no password', () => {
    for (const security of ['starttls', 'tls'])
      expect(warningsOf('mail-tls.yaml', mail(security), { SMTP_PW: PW })).toEqual([]);
    for (const host of [
      'localhost',
      'LOCALHOST',
      '127.0.0.1',
      '127.1.2.3',
      "'::1'",
      "'0:0:0:0:0:0:0:1'",
      "'::ffff:127.0.0.1'",
    ])
      expect(warningsOf('mail-local.yaml', mail('none', host), { SMTP_PW: PW }), host).toEqual([]);
    // hT44b S1: judged by the address, not the spelling: these go to the resolver first (or, [::1],
    // nowhere: nodemailer cannot connect to it), and 128.0.0.1 is another machine.
    for (const host of [
      'localhost.',
      '127.000.0.1',
      "'127.1'",
      "'[::1]'",
      '128.0.0.1',
      'localhost.example.com',
    ])
      expect(warningsOf('mail-far.yaml', mail('none', host), { SMTP_PW: PW }), host).toHaveLength(1);
    expect(warningsOf('mail-open.yaml', mail('none', 'relay.example.com', 'tls_verify: true'))).toEqual([]);
  });

  it('qoswatch check says it on stderr and exits 0', async () => {
    const r = await runCli(['check', '--config', write('mail-check.yaml', mail('none'))], { SMTP_PW: PW });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'notifiers[0].security: notifier "mail": security: none sends the SMTP password',
    );
    expect(r.stderr).not.toContain(PW);
  });
});
