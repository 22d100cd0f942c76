import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { readTokenApiUrl } from '../../src/zoom/token-answer.js';
import { CONFIG_SCHEMA_FILE } from '../../src/config/schema.js';

/**
 * URL schemes are case-insensitive (RFC 3986 3.1; WHATWG URL lowercases them). A token answer's
 * `api_url` of HTTPS://… was taken while the config's own HTTPS://… was refused ("whose scheme is
 * not in lower case"): now every URL setting takes it alike, in lower case, the rest as written.
 */
const CONFIG = `zoom:
  account_id: a
  client_id: c
  client_secret: s
  api_url: HTTPS://api.zoom.us/Base
  oauth_url: Https://zoom.us/oauth/token
sources: { meetings: true, sessions: true }
videosdk: { api_key: k, api_secret: s, api_url: 'HTTP://127.0.0.1:8080' }
notifiers:
  - { name: slack, type: slack, channel: '#x', token: xoxb-t, api_url: 'HTTPS://slack.example.com/api/' }
  - { name: hook, type: webhook, url: 'hTTp://127.0.0.1:8081/Hook' }
  - { name: am, type: alertmanager, url: 'HTTP://alertmanager:9093' }
route: { receiver: slack }
`;

describe('a URL setting with its scheme in upper or mixed case', () => {
  it('is taken, in every URL setting alike, with its scheme in lower case and its path as written', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'qw-scheme-')), 'config.yaml');
    writeFileSync(file, CONFIG);
    // Old code: FileInvalidError, 'zoom.api_url: found "HTTPS://api.zoom.us/Base", whose scheme is not in lower case'.
    const c = loadConfig(file, {});
    expect(c.zoom).toMatchObject({
      apiUrl: 'https://api.zoom.us/Base',
      oauthUrl: 'https://zoom.us/oauth/token',
    });
    expect(c.videosdk?.apiUrl).toBe('http://127.0.0.1:8080');
    const settings = Object.fromEntries(
      c.notify.notifiers.map((n) => [n.name, n.type === 'module' ? {} : n.settings]),
    );
    expect(settings).toMatchObject({
      slack: { api_url: 'https://slack.example.com/api/' },
      hook: { url: 'http://127.0.0.1:8081/Hook' },
      am: { url: 'http://alertmanager:9093' },
    });
  });

  it('is taken as a token answer’s api_url is: the two agree', () => {
    expect(readTokenApiUrl('HTTPS://api.zoom.us/Base')).toEqual({ url: 'https://api.zoom.us/Base' });
  });

  it('passes the editor schema’s pattern too (editors flagged HTTPS:// as wrong)', () => {
    const patterns: string[] = [];
    JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8'), (key, value: unknown) => {
      if (key === 'pattern' && typeof value === 'string' && value.includes('://')) patterns.push(value);
      return value;
    });
    expect(patterns).toHaveLength(6);
    for (const p of patterns) expect(new RegExp(p).test('HTTPS://api.zoom.us')).toBe(true);
  });
});
