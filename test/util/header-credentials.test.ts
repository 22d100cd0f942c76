import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loggedText } from '../helpers/log.js';

/**
 * A secret header's value `<scheme> <credential>` hides its credential alone too (util/secret-values.ts):
 * before, only `Bearer LongBearerToken12345` whole was hidden, and the token echoed in a topic or an
 * error without its scheme was logged in clear.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-header-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASIC = Buffer.from('hookuser:hookpassword77').toString('base64');

function secrets(): ReadonlySet<string> {
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    'zoom:\n  account_id: a\n  client_id: c\n  client_secret: zoomsecret-42\n' +
      'notifiers:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:8080/x\n    headers:\n' +
      '      Authorization: "Bearer LongBearerToken12345"\n' +
      `      Proxy-Authorization: "Basic ${BASIC}"\n` +
      '      X-Auth-Token: "Token tokenpart-9876"\n',
  );
  return loadConfig(file, {}).source.secretValues();
}

describe("a secret header's credential is hidden without its scheme", () => {
  it('Bearer and Token credentials, and Basic credentials decoded, in any log line', () => {
    const out = loggedText((log) => {
      log.info('meeting "LongBearerToken12345 sync" started');
      log.warn({ err: new Error('refused tokenpart-9876') }, 'hook failed');
      log.warn(`proxy said: ${BASIC} is hookuser:hookpassword77, password hookpassword77`);
    }, secrets());
    // Old code: every one of these was in clear (only the whole header values were hidden).
    for (const s of ['LongBearerToken12345', 'tokenpart-9876', BASIC, 'hookpassword77'])
      expect(out).not.toContain(s);
    expect(out).toContain('"msg":"meeting \\"[redacted] sync\\" started"');
  });
});
