import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSnapshot, rereadConfig } from '../../src/app/config-reread.js';
import { configLogger, requireConfig } from '../../src/cli/common.js';
import { hiddenAsLogged, hiddenFromProcess } from '../../src/util/log-secrets.js';
import type { Env } from '../../src/util/yaml-env.js';
import { captureLog, loggedText } from '../helpers/log.js';

const CONFIG = `zoom:
  { account_id: a, client_id: c, client_secret: s,
    api_url: https://api.zoom.us/v2, oauth_url: https://zoom.us/oauth/token }
notifiers:
  - { name: am, type: alertmanager, url: 'http://alertmanager:9093' }
  - name: hook
    type: webhook
    url: 'https://hooks.example.com/In'
    headers: { X-Origin: 'https://qoswatch.example.com' }
route: { receiver: am }
`;

/** What SIGHUP logs after the file, read at start as CONFIG, was edited to `edited`. */
function reread(edited: string): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'qw-reread-')), 'config.yaml');
  writeFileSync(file, CONFIG);
  const running = configSnapshot(file);
  writeFileSync(file, edited);
  const { log, lines } = captureLog();
  rereadConfig(file, running, log, {});
  return lines.map((l) => l.msg.replace(file, 'FILE'));
}

describe('SIGHUP after an edit of the config file', () => {
  it('takes a URL setting whose scheme or host changed case only as unchanged (outside tester, L7)', () => {
    const edited = CONFIG.replace('https://api.zoom.us/v2', 'HTTPS://API.Zoom.us/v2')
      .replace('https://zoom.us/oauth', 'Https://ZOOM.US/oauth')
      .replace('http://alertmanager:9093', 'HTTP://AlertManager:9093')
      .replace('https://hooks.example.com/In', 'hTTps://Hooks.Example.com/In');
    // The old code: 'FILE changed, not applied: restart qoswatch to apply zoom.api_url, zoom.oauth_url, notifiers[0].url, notifiers[1].url'.
    expect(reread(edited)).toEqual(['FILE unchanged']);
  });

  it('still names a URL whose path changed case, and a setting that is not a URL whose text did', () => {
    const edited = CONFIG.replace('https://hooks.example.com/In', 'https://hooks.example.com/in').replace(
      "X-Origin: 'https://qoswatch",
      "X-Origin: 'HTTPS://qoswatch",
    );
    expect(reread(edited)).toEqual([
      'FILE changed, not applied: restart qoswatch to apply notifiers[1].url, notifiers[1].headers.X-Origin (SIGHUP reloads the rule files only)',
    ]);
  });

  it('names a host written with a variable whose name changed case: another variable', () => {
    const text = CONFIG.replace('https://api.zoom.us/v2', "'https://${ZOOM_HOST}/v2'");
    const file = join(mkdtempSync(join(tmpdir(), 'qw-reread-')), 'config.yaml');
    writeFileSync(file, text);
    const running = configSnapshot(file);
    writeFileSync(file, text.replace('${ZOOM_HOST}', '${zoom_host}'));
    const { log, lines } = captureLog();
    rereadConfig(file, running, log, { ZOOM_HOST: 'api.zoom.us', zoom_host: 'api.zoom.us' });
    expect(lines.map((l) => l.msg)).toEqual([
      `${file} changed, not applied: restart qoswatch to apply zoom.api_url (SIGHUP reloads the rule files only)`,
    ]);
  });
});

describe('SIGHUP and the secrets the log hides', () => {
  it("adds the file's new secret values, from a *_file too, and keeps the running ones", () => {
    const folder = mkdtempSync(join(tmpdir(), 'qw-reread-'));
    const file = join(folder, 'config.yaml');
    writeFileSync(file, CONFIG.replace('client_secret: s', 'client_secret: old-secret-value-1'));
    const running = configSnapshot(file);
    writeFileSync(join(folder, 'token'), 'new-file-token-3\n');
    const edited = CONFIG.replace('client_secret: s', "client_secret: '${NEW_SECRET}'").replace(
      "url: 'http://alertmanager:9093' }",
      "url: 'http://alertmanager:9093' }\n  - { name: chat, type: slack, channel: '#x', token_file: token }",
    );
    writeFileSync(file, edited);
    const out = loggedText(
      (log) => {
        rereadConfig(file, running, log, { NEW_SECRET: 'new-env-secret-2' });
        log.warn('echo old-secret-value-1 new-env-secret-2 new-file-token-3');
      },
      ['old-secret-value-1'],
    );
    // Old code: the new values were logged as they were.
    expect(out).toContain('"msg":"echo [redacted] [redacted] [redacted]"');
    expect(out).toContain('restart qoswatch to apply zoom.client_secret, notifiers[1]');
  });
});

describe('SIGHUP after the content of a *_file changed (stop 39, tester LOW)', () => {
  it('names the setting as changed and needing a restart, without its content; the same content is unchanged', () => {
    const folder = mkdtempSync(join(tmpdir(), 'qw-reread-'));
    const file = join(folder, 'config.yaml');
    writeFileSync(join(folder, 'cs.secret'), 'first-file-secret-1\n');
    writeFileSync(file, CONFIG.replace('client_secret: s', 'client_secret_file: cs.secret'));
    const running = configSnapshot(file);
    const sighup = (): string => {
      const out = loggedText((log) => rereadConfig(file, running, log, {}), ['first-file-secret-1']);
      return out.replaceAll(file, 'FILE');
    };
    writeFileSync(join(folder, 'cs.secret'), 'first-file-secret-1'); // only the newline went: as read, the same
    expect(sighup()).toContain('"msg":"FILE unchanged"');
    writeFileSync(join(folder, 'cs.secret'), 'second-file-secret-2\n');
    // Old code: "FILE unchanged", while the daemon kept first-file-secret-1 until a restart.
    const out = sighup();
    expect(out).toContain(
      '"msg":"FILE changed, not applied: restart qoswatch to apply zoom.client_secret_file (SIGHUP reloads the rule files only)"',
    );
    expect(out).not.toMatch(/file-secret/);
  });
});

describe('SIGHUP and a *_file path written with ${VAR} (stop 40, reviewer LOW)', () => {
  /** A config of `client_secret_file: <written>` read at start, then `edit`ed: what SIGHUP logs. */
  function sighup(written: string, edit: (folder: string) => string, env: (folder: string) => Env): string[] {
    const folder = mkdtempSync(join(tmpdir(), 'qw-reread-'));
    const file = join(folder, 'config.yaml');
    writeFileSync(join(folder, 'cs.secret'), 'first-file-secret-1\n');
    writeFileSync(file, CONFIG.replace('client_secret: s', `client_secret_file: '${written}'`));
    const running = configSnapshot(file, env(folder));
    writeFileSync(file, CONFIG.replace('client_secret: s', `client_secret_file: '${edit(folder)}'`));
    const { log, lines } = captureLog();
    rereadConfig(file, running, log, env(folder));
    return lines.map((l) => l.msg.replace(file, 'FILE'));
  }
  const NAMED =
    'FILE changed, not applied: restart qoswatch to apply zoom.client_secret_file (SIGHUP reloads the rule files only)';

  it('the same file written out instead of through ${SECRETS} is unchanged (the old code: named as changed)', () => {
    const env = (folder: string): Env => ({ SECRETS: folder });
    expect(sighup('${SECRETS}/cs.secret', (folder) => join(folder, 'cs.secret'), env)).toEqual([
      'FILE unchanged',
    ]);
  });

  it('a ${VAR} that names another file is named as needing a restart', () => {
    const env = (folder: string): Env => ({ SECRETS: folder, OTHER: join(folder, 'elsewhere') });
    const another = (folder: string): string => {
      mkdirSync(join(folder, 'elsewhere'));
      writeFileSync(join(folder, 'elsewhere', 'cs.secret'), 'first-file-secret-1\n'); // the same content
      return '${OTHER}/cs.secret';
    };
    expect(sighup('${SECRETS}/cs.secret', another, env)).toEqual([NAMED]);
  });

  it('new content of a file named through ${SECRETS} is named as needing a restart (the old code: unchanged)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'qw-reread-'));
    const file = join(folder, 'config.yaml');
    const env: Env = { SECRETS: folder };
    writeFileSync(join(folder, 'cs.secret'), 'first-file-secret-1\n');
    writeFileSync(file, CONFIG.replace('client_secret: s', "client_secret_file: '${SECRETS}/cs.secret'"));
    const running = configSnapshot(file, env);
    writeFileSync(join(folder, 'cs.secret'), 'second-file-secret-2\n');
    const out = loggedText((log) => rereadConfig(file, running, log, env), ['first-file-secret-1']);
    expect(out.replaceAll(file, 'FILE')).toContain(`"msg":"${NAMED}"`);
    expect(out).not.toMatch(/file-secret|cs\.secret/);
  });
});

describe('SIGHUP and the one store of secret values', () => {
  it('replaces the previous reading’s values in the log and in an error main.ts prints alike', () => {
    // Old code (values only ever added, to the log's copy and to processSecrets side by side):
    // "rotated-secret-value-9", read at one SIGHUP and edited away before the next, stayed
    // hidden for the process's life in both, and each SIGHUP grew both.
    const folder = mkdtempSync(join(tmpdir(), 'qw-reread-'));
    const file = join(folder, 'config.yaml');
    const withSecret = (v: string): string => CONFIG.replace('client_secret: s', `client_secret: ${v}`);
    writeFileSync(file, withSecret('running-secret-value-8'));
    const config = requireConfig(file);
    const running = configSnapshot(file);
    const log = configLogger(config);
    const text = 'echo running-secret-value-8 rotated-secret-value-9 rotated-secret-value-10';
    writeFileSync(file, withSecret('rotated-secret-value-9'));
    rereadConfig(file, running, log, {});
    for (const hide of [(t: string) => hiddenAsLogged(log, t), hiddenFromProcess])
      expect(hide(text)).toBe('echo [redacted] [redacted] rotated-secret-value-10');
    writeFileSync(file, withSecret('rotated-secret-value-10'));
    rereadConfig(file, running, log, {});
    for (const hide of [(t: string) => hiddenAsLogged(log, t), hiddenFromProcess])
      expect(hide(text)).toBe('echo [redacted] rotated-secret-value-9 [redacted]');
  });
});
