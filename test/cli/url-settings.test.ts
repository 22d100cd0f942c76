import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-url-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every URL setting of the config, each given a URL that `new URL` refuses or a port out of 1-65535. */
const CONFIG = `zoom:
  account_id: a
  client_id: c
  client_secret: s
  api_url: http://127.0.0.1:99999
  oauth_url: 'https://zoom.example.com:0/oauth/token'
videosdk:
  api_key: k
  api_secret: s
  api_url: 'http://[::1/'
notifiers:
  - { name: hook, type: webhook, url: 'http://256.0.0.1/x' }
  - { name: am, type: alertmanager, url: 'http://127.0.0.1:65536/' }
  - { name: slack, type: slack, channel: '#x', token: xoxb-t, api_url: 'http://127.0.0.1:123456/api/' }
  - { name: envhook, type: webhook, url: '\${HOOK_URL}' }
  - { name: good, type: webhook, url: 'http://127.0.0.1:65535/ok' }
state:
  dir: ${join(dir, 'state')}
`;
const ENV = { HOOK_URL: 'http://127.0.0.1:99999/hook' };
const PORT = (p: string): string => `whose port ${p} is not from 1 to 65535; expected an http(s) URL`;
const UNPARSED = 'which does not parse as a URL; expected an http(s) URL';

describe('a URL setting that new URL refuses, or with a port out of 1-65535, stops the start', () => {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, CONFIG);

  it.each([
    ['check', ['check', '--config', file]],
    ['run', ['run', '--config', file]],
  ])('%s: each one at file:line:col, saying what is wrong', async (_n, args) => {
    const r = await runCli(args, ENV);
    expect(r.code).toBe(2);
    for (const [line, col, path, value, why] of [
      [5, 12, 'zoom.api_url', 'http://127.0.0.1:99999', PORT('99999')],
      [6, 14, 'zoom.oauth_url', 'https://zoom.example.com:0/oauth/token', PORT('0')],
      [10, 12, 'videosdk.api_url', 'http://[::1/', UNPARSED],
      [12, 39, 'notifiers[0].url', 'http://256.0.0.1/x', UNPARSED],
      [13, 42, 'notifiers[1].url', 'http://127.0.0.1:65536/', PORT('65536')],
      [14, 72, 'notifiers[2].api_url', 'http://127.0.0.1:123456/api/', PORT('123456')],
      [15, 42, 'notifiers[3].url', 'http://127.0.0.1:99999/hook', PORT('99999')],
    ] as const)
      expect(r.stderr).toContain(`${file}:${line}:${col}: ${path}: found "${value}", ${why}`);
    expect(r.stderr).not.toContain('notifiers[4]');
    expect(r.stderr.trim().split('\n')).toHaveLength(7);
  });
});

/** Each setting of the config schema, with its path. */
function settings(node: unknown, path: string, out: [string, Record<string, unknown>][] = []): typeof out {
  if (!node || typeof node !== 'object') return out;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'properties' && v && typeof v === 'object')
      for (const [name, s] of Object.entries(v as Record<string, unknown>))
        out.push([`${path}/${name}`, s as Record<string, unknown>]);
    settings(v, `${path}/${k}`, out);
  }
  return out;
}

describe('the config schema', () => {
  it('checks every URL setting with the one httpUrl check', () => {
    const urls = settings(configSchema(), '').filter(
      ([path, s]) =>
        /url$/i.test(path) || s.format === 'uri' || s.pattern === '^https?://[^/?#@\\s]+([/?#]|$)',
    );
    // zoom's and videosdk's api_url and oauth_url, and the url or api_url of each notifier kind that has one.
    expect(urls.length).toBeGreaterThanOrEqual(6);
    for (const [path, s] of urls) expect({ path, httpUrl: s.httpUrl }).toEqual({ path, httpUrl: true });
  });
});
