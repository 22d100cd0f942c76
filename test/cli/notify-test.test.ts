import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { RedirectPair } from '../helpers/http-server.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { HungSmtp } from '../helpers/smtp.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-notify-test-'));
const smtp = new HungSmtp();
const pair = new RedirectPair();
const { other: thief, redirecting } = pair;
beforeAll(async () => {
  await smtp.listen();
  await pair.listen();
});
afterAll(async () => {
  await smtp.close();
  await pair.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('qoswatch notify-test to an SMTP server that never greets', () => {
  it('ends at about delivery.timeout and says it timed out, with what trying again may do', async () => {
    const file = join(dir, 'mail.yaml');
    writeFileSync(
      file,
      `delivery: { timeout: 1s }\nnotifiers:\n  - { name: mail, type: email, host: 127.0.0.1, port: ${smtp.port}, security: none, from: q@example.com, to: [noc@example.com] }\n`,
    );
    const started = performance.now();
    const result = await runCli(['notify-test', '--config', file, '--notifier', 'mail']);
    const took = performance.now() - started;
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'mail: not delivered: no answer within delivery.timeout (1s) (NOTIFY_TIMEOUT; may work if tried again)\n',
    });
    // The server's side of it, in this process, may come after the command's exit.
    await smtp.until((s) => s.closed === 1 && s.connections === 1);
    expect(smtp.connections).toBe(1);
    // A generous bound (the start of a loaded machine): the old code took nodemailer's 15 s
    // greeting timeout and more, whatever delivery.timeout said.
    expect(took).toBeLessThan(10_000);
  }, 30_000);
});

describe('qoswatch notify-test to a webhook that redirects to another host', () => {
  // The outside tester's case. Fails on the old code: /steal got the POST with its body, x-api-key
  // and the signature, and notify-test printed "delivered".
  it('sends nothing there, says not delivered with the status and the origin only, and exits 1', async () => {
    const file = join(dir, 'redirect.yaml');
    writeFileSync(
      file,
      `notifiers:\n  - name: r1\n    type: webhook\n    url: ${redirecting.url}/r\n    secret: sig-secret\n    headers: { Authorization: 'Bearer X', X-Api-Key: 'K' }\n`,
    );
    const result = await runCli(['notify-test', '--config', file, '--notifier', 'r1']);
    const to = pair.otherOrigin;
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `r1: not delivered: answered HTTP 307, a redirect to ${to}; redirects are not followed: set the url to where it should go (NOTIFY_REJECTED; will not work until the settings change)\n`,
    });
    expect(redirecting.received.map((r) => r.path)).toEqual(['/r']);
    expect(thief.received).toEqual([]);
  }, 30_000);
});

describe('qoswatch notify-test to a notifier module whose error echoes a secret of the config', () => {
  it('prints the error with the secret hidden', async () => {
    // A module of one's own that fails saying its token, in words no pattern knows.
    writeFileSync(
      join(dir, 'echo-notifier.mjs'),
      `export default { type: 'echo', properties: { token: { type: 'string' } }, create(options, ctx) {
  return { name: ctx.name, type: 'echo', async send() { throw new Error('the relay refused ' + options.token + ' today'); } };
} };\n`,
    );
    const file = join(dir, 'module.yaml');
    writeFileSync(
      file,
      'notifiers:\n  - { name: mine, type: module, module: ./echo-notifier.mjs, options: { token: plainsecretvalue42 } }\n',
    );
    const result = await runCli(['notify-test', '--config', file, '--notifier', 'mine']);
    // Old code: "mine: not delivered: the relay refused plainsecretvalue42 today (...)".
    expect(result.stderr).toBe(
      'mine: not delivered: the relay refused [redacted] today (NOTIFY_NETWORK; may work if tried again)\n',
    );
    expect(result.code).toBe(1);
  }, 30_000);
});

describe('qoswatch notify-test to a Slack that takes the request and never answers (hT45 L3)', () => {
  it('says Slack did not answer within delivery.timeout, in one line, no client log line', async () => {
    const slack = new FakeSlack();
    const url = await slack.listen();
    slack.mode = { kind: 'hang' };
    try {
      const file = join(dir, 'slack-hang.yaml');
      writeFileSync(
        file,
        `delivery: { timeout: 1s }\nnotifiers:\n  - { name: chat, type: slack, token: ${slack.token}, channel: '#noc', api_url: '${url}' }\n`,
      );
      const result = await runCli(['notify-test', '--config', file, '--notifier', 'chat']);
      // Old code: after 15 s, a JSON line of the client's ("http request failed The operation
      // was aborted due to timeout"), then "cannot reach Slack (23) (NOTIFY_NETWORK; ...)".
      expect(result).toMatchObject({
        code: 1,
        stdout: '',
        stderr:
          'chat: not delivered: Slack did not answer within 1s (delivery.timeout) (NOTIFY_TIMEOUT; may work if tried again)\n',
      });
    } finally {
      await slack.close();
    }
  }, 30_000);
});
