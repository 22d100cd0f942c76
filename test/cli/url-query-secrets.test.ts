import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-url-query-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZOOM = 'zoom: {account_id: a, client_id: c, client_secret: xyzxyzxyz';
const AM_WHY =
  "which has a query or a fragment (/api/v2/alerts is appended to the path); expected Alertmanager's base URL such as http://alertmanager:9093, without a query or a fragment";
const API_WHY =
  'which has a query or a fragment (calls append /v2/… to it); expected an http(s) URL such as https://api.zoom.us, without a query or a fragment';

/**
 * A URL setting with a credential in its query (outside tester, stop 39, LOW-MEDIUM): the
 * problem hides the credential and still says what is wrong and what is expected.
 */
describe('a config problem quoting a URL with a credential in its query', () => {
  it.each(['apikey', 'token', 'password', 'api_key', 'access_token'])(
    'notifiers[0].url with ?%s=: the credential hidden, the rest of the message kept',
    async (key) => {
      const file = join(dir, `am-${key}.yaml`);
      writeFileSync(
        file,
        `${ZOOM}}\nnotifiers: [{ name: am, type: alertmanager, url: "http://127.0.0.1:19009/am?${key}=AMSECRET999" }]\nroute: {receiver: am}\n`,
      );
      const r = await runCli(['check', '--config', file]);
      // Old code: `...found "http://127.0.0.1:19009/am?apikey=[redacted]` and nothing after it.
      expect(r.stderr).toBe(
        `${file}:2:50: notifiers[0].url: found "http://127.0.0.1:19009/am?${key}=[redacted]", ${AM_WHY}\n`,
      );
      expect(r.code).toBe(2);
    },
    30_000,
  );

  it('zoom.api_url with ?access_token=', async () => {
    const file = join(dir, 'api.yaml');
    writeFileSync(file, `${ZOOM}, api_url: "https://api.zoom.us?access_token=abcdef123"}\n`);
    const r = await runCli(['check', '--config', file]);
    // Old code: `...found "https://api.zoom.us?access_token=[redacted]` and nothing after it.
    expect(r.stderr).toBe(
      `${file}:1:72: zoom.api_url: found "https://api.zoom.us?access_token=[redacted]", ${API_WHY}\n`,
    );
    expect(r.code).toBe(2);
  }, 30_000);
});

describe('the log of a token endpoint nobody listens on, whose URL holds a credential', () => {
  it('hides the credential and keeps the cause', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const file = join(dir, 'oauth.yaml');
    writeFileSync(
      file,
      `${ZOOM}, api_url: "${url}/v2", oauth_url: "${url}/oauth/token?access_token=abcdef123"}\n` +
        `sources: {webinars: false}\nstate: {dir: ${join(dir, 'state')}}\nlog: {format: json}\n`,
    );
    const r = await runCli(['once', '--config', file]);
    expect(r.code, r.stderr).toBe(1);
    // Old code: `"err":"cannot reach Zoom's token endpoint http://…/oauth/token?access_token=[redacted]"`,
    // the cause (ECONNREFUSED) hidden with the credential.
    expect(r.stderr).toContain(
      `"err":"cannot reach Zoom's token endpoint \\"${url}/oauth/token?access_token=[redacted]\\": ECONNREFUSED"`,
    );
    expect(r.stderr + r.stdout).not.toContain('abcdef123');
  }, 30_000);
});
