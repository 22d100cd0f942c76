import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loggedText } from '../helpers/log.js';

/**
 * A notifier header's value is a secret only when the header's name says so (util/secrets.ts):
 * before, every header value was one, and `X-Source: qoswatch-prod` hid that word in every line.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-secret-headers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADERS: Record<string, string> = {
  'X-Source': 'qoswatch-prod',
  'X-Team': 'network-team-7',
  Authorization: 'Bearer authvalue-111',
  'Proxy-Authorization': 'Basic proxyvalue-222',
  Cookie: 'sid=cookievalue-333',
  'X-Api-Key': 'apikeyvalue-444',
  'X-Auth-Token': 'tokenvalue-555',
  'X-Hub-Signature': 'sigvalue-666',
  'X-Session-Id': 'sessionvalue-777',
  'X-Client-Secret': 'secretvalue-888',
  'X-Passcode': 'passvalue-999',
  'x-credentials': 'credvalue-000',
  apikey: 'apikeyvalue-1',
  XApiKey: 'apikeyvalue-2',
  Password: 'passwordvalue-3',
  X_Access_Token: 'accessvalue-4',
  // Names said as one word, in the plural, or by a part (review: these were no longer secrets).
  Authentication: 'Bearer authnvalue-12',
  'X-Api-Keys': 'keysvalue-13',
  'x-apitoken': 'apitokenvalue-14',
  'X-Hmac': 'hmacvalue-15',
  // A credential by its form, under a name no list knows.
  'X-Gateway': 'Bearer gatewayvalue-16',
  // Words that only hold a secret word in part (old code: secret, and the word hidden everywhere).
  'X-Author': 'qoswatch',
  Monkey: 'monkeyvalue',
  'X-Passive': 'passivevalue',
};

const NOT_SECRET = ['X-Source', 'X-Team', 'X-Author', 'Monkey', 'X-Passive'];

function configWith(headers: Record<string, string>): string {
  const file = join(dir, 'config.yaml');
  const lines = Object.entries(headers).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`);
  writeFileSync(
    file,
    'zoom:\n  account_id: a\n  client_id: c\n  client_secret: zoomsecret-42\n' +
      `notifiers:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:8080/x\n    headers:\n${lines.join('\n')}\n`,
  );
  return file;
}

describe("a notifier header's value is a secret when its name says so", () => {
  it('Authorization, Proxy-Authorization, Cookie and names with token, key, secret... are; others are not', () => {
    // Old code: every value here was a secret, X-Source's and X-Team's too; then X-Author, Monkey and
    // X-Passive (auth, key, pass in part); then Authentication, X-Api-Keys, x-apitoken, X-Hmac and X-Gateway were not.
    const values = loadConfig(configWith(HEADERS), {}).source.secretValues();
    const secret = Object.entries(HEADERS).filter(([k]) => !NOT_SECRET.includes(k));
    // The credential alone of `<scheme> <credential>` too (test/util/header-credentials.test.ts).
    const parts = ['authvalue-111', 'proxyvalue-222', 'authnvalue-12', 'gatewayvalue-16'];
    expect([...values].sort()).toEqual(['zoomsecret-42', ...parts, ...secret.map(([, v]) => v)].sort());
  });

  it("a harmless header's value stays in the log; a secret header's is hidden", () => {
    const values = loadConfig(configWith(HEADERS), {}).source.secretValues();
    const out = loggedText((log) => {
      log.info('state in /var/lib/qoswatch-prod, paged network-team-7');
      log.info('qoswatch started, monkeyvalue passivevalue');
      log.warn('hook: HTTP 401: refused apikeyvalue-444 and Bearer authvalue-111');
      log.warn('gateway: HTTP 401: refused authnvalue-12, gatewayvalue-16 and apitokenvalue-14');
    }, values);
    // Old code: "state in /var/lib/[redacted], paged [redacted]".
    expect(out).toContain('"msg":"state in /var/lib/qoswatch-prod, paged network-team-7"');
    expect(out).toContain('"msg":"qoswatch started, monkeyvalue passivevalue"');
    expect(out).toContain('"msg":"hook: HTTP 401: refused [redacted] and [redacted]"');
    expect(out).toContain('"msg":"gateway: HTTP 401: refused [redacted], [redacted] and [redacted]"');
  });
});
