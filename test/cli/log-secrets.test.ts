import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { echoingZoom } from '../helpers/echoing-zoom.js';

/**
 * A secret the configuration holds, echoed by a server in its own words, is hidden in the
 * command's log (stop 38): the logger knew only patterns (`password: x`), not the values.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-log-secrets-'));
const ECHOED = 'client plainsecretvalue42, token filetokenvalue77, header headervalue99';
let zoom: Awaited<ReturnType<typeof echoingZoom>>;
let url = '';

// A Zoom that grants a token, then answers every listing with a 400 that echoes the secrets.
beforeAll(async () => {
  zoom = await echoingZoom(`refused: ${ECHOED}`);
  url = zoom.url;
});
afterAll(async () => {
  await zoom.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("qoswatch once's log", () => {
  it('hides the secrets of its config: from the environment, a *_file and a header', async () => {
    writeFileSync(join(dir, 'slack-token'), 'filetokenvalue77\n');
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `zoom:\n  api_url: ${url}/v2\n  oauth_url: ${url}/oauth/token\n  account_id: acct\n  client_id: cid\n` +
        `  client_secret: \${SECRET}\nsources:\n  webinars: false\nnotifiers:\n` +
        `  - { name: chat, type: slack, channel: '#x', token_file: slack-token }\n` +
        `  - { name: hook, type: webhook, url: 'http://127.0.0.1:8/x', headers: { Authorization: headervalue99 } }\n` +
        `route: { receiver: chat }\nstate:\n  dir: ${join(dir, 'state')}\nlog:\n  format: json\n`,
    );
    const r = await runCli(['once', '--config', file], { SECRET: 'plainsecretvalue42' });
    expect(r.code, r.stderr).toBe(1);
    // Old code: "...refused: client plainsecretvalue42, token filetokenvalue77, header headervalue99".
    expect(r.stderr).toContain(
      '"err":"meetings: Zoom answered HTTP 400 code 300: refused: client [redacted], token [redacted], header [redacted]"',
    );
    expect(r.stderr + r.stdout).not.toMatch(/plainsecretvalue42|filetokenvalue77|headervalue99/);
  });
});

describe("qoswatch once's log, a secret echoed encoded (stop 39, tester LOW)", () => {
  it('hides a client_secret_file’s secret form-encoded, in base64 and in base64url', async () => {
    const secret = 'p@ss/w+rd=x y"z\\';
    const b64 = Buffer.from(secret).toString('base64');
    const forms = [
      `form=${new URLSearchParams([['', secret]]).toString().slice(1)}`,
      `b64=${b64}`,
      `bare=${b64.replace(/=+$/, '')};`,
      `b64url=${Buffer.from(secret).toString('base64url')}`,
      `uri=${encodeURIComponent(secret)}`,
    ];
    // The forms as the tester saw them: old code logged the first three (and base64url) in clear.
    expect(forms.slice(0, 2)).toEqual(['form=p%40ss%2Fw%2Brd%3Dx+y%22z%5C', 'b64=cEBzcy93K3JkPXggeSJ6XA==']);
    const echo = await echoingZoom(`refused: ${forms.join(' | ')}`);
    try {
      writeFileSync(join(dir, 'cs.secret'), `${secret}\n`);
      const file = join(dir, 'forms.yaml');
      writeFileSync(
        file,
        `zoom:\n  api_url: ${echo.url}/v2\n  oauth_url: ${echo.url}/oauth/token\n  account_id: acct\n` +
          `  client_id: cid\n  client_secret_file: cs.secret\nsources:\n  webinars: false\n` +
          `state:\n  dir: ${join(dir, 'state-forms')}\nlog:\n  format: json\n`,
      );
      const r = await runCli(['once', '--config', file]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        '"err":"meetings: Zoom answered HTTP 400 code 300: refused: form=[redacted] | b64=[redacted] | bare=[redacted]; | b64url=[redacted] | uri=[redacted]"',
      );
      expect(r.stderr + r.stdout).not.toMatch(/p%40ss|cEBzcy93K3JkPXggeSJ6XA/);
    } finally {
      await echo.close();
    }
  });
});

/**
 * `qoswatch once` against a token endpoint that answers every request with `status` and a JSON
 * `{ reason }`, the client id `clientId` and the secret read from a `client_secret_file`.
 */
async function onceAgainstTokenEndpoint(
  name: string,
  status: number,
  reason: string,
  clientId: string,
  secret: string,
) {
  const server = createServer((_req, res) => res.writeHead(status).end(JSON.stringify({ reason })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    writeFileSync(join(dir, `${name}.secret`), `${secret}\n`);
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `zoom:\n  api_url: ${url}/v2\n  oauth_url: ${url}/oauth/token\n  account_id: acct\n` +
        `  client_id: ${clientId}\n  client_secret_file: ${name}.secret\nsources:\n  webinars: false\n` +
        `state:\n  dir: ${join(dir, `state-${name}`)}\nlog:\n  format: json\n`,
    );
    return await runCli(['once', '--config', file]);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

describe("qoswatch once's log, a token endpoint's long answer echoing the secret encoded", () => {
  it('hides the forms before the answer is cut at 200 characters, leaving no part of them', async () => {
    const secret = 'p@ss/w+rd=x y"z\\';
    const form = new URLSearchParams([['', secret]]).toString().slice(1);
    const reason = `${'x'.repeat(160)} json=${JSON.stringify(secret)} | form=${form}`;
    const r = await onceAgainstTokenEndpoint('cut', 500, reason, 'cid', secret);
    expect(r.code, r.stderr).toBe(1);
    // Old code: `... | form=p%40ss...`: cut before the log looked, a part of the secret shown.
    expect(r.stderr).toContain(`(HTTP 500: ${'x'.repeat(160)} json=\\"[redacted]\\" | form=[redacted]);`);
    expect(r.stderr + r.stdout).not.toMatch(/p%40ss|p@ss/);
  });
});

describe("qoswatch once's log, a token endpoint echoing lowercase escapes and the Basic credential (stop 39, tester LOW)", () => {
  it('hides the secret percent-encoded in lowercase hex, and `client_id:secret` in base64url and unpadded', async () => {
    const secret = 'p@ss/w+rd=x y"z\\Ä~';
    const credential = Buffer.from(`c~~id1:${secret}`);
    const forms = [
      `uri=${encodeURIComponent(secret).toLowerCase()}`,
      `form=${new URLSearchParams([['', secret]]).toString().slice(1).toLowerCase()}`,
      `b64url=${credential.toString('base64url')}`,
      `bare=${credential.toString('base64').replace(/=+$/, '')};`,
    ];
    // The forms as the tester saw them: old code logged all four in clear (all but the id's part).
    expect(forms).toEqual([
      'uri=p%40ss%2fw%2brd%3dx%20y%22z%5c%c3%84~',
      'form=p%40ss%2fw%2brd%3dx+y%22z%5c%c3%84%7e',
      'b64url=Y35-aWQxOnBAc3MvdytyZD14IHkielzDhH4',
      'bare=Y35+aWQxOnBAc3MvdytyZD14IHkielzDhH4;',
    ]);
    const r = await onceAgainstTokenEndpoint('lower', 401, forms.join(' | '), 'c~~id1', secret);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      'HTTP 401: uri=[redacted] | form=[redacted] | b64url=[redacted] | bare=[redacted];)',
    );
    expect(r.stderr + r.stdout).not.toMatch(/p%40ss|OnBAc3MvdytyZD14/);
  });
});
