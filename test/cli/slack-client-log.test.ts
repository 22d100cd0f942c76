import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FakeSlack } from '../helpers/fake-slack.js';

/**
 * @slack/web-api logs response_metadata's "[ERROR] ..." messages itself: without a logger of
 * ours it wrote them to stderr as they came, past the redaction and the escaping (tester hT41b).
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-slack-client-log-'));
const slack = new FakeSlack();
const TOKEN = 'xoxb-1234-abcd';
let apiUrl = '';
beforeAll(async () => {
  apiUrl = await slack.listen();
  slack.mode = {
    kind: 'error',
    error: 'invalid_auth',
    messages: [`[ERROR] token ${TOKEN}, bad \u001b]0;pwned\u0007 \u202eevil`],
  };
});
afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("notify-test through Slack's client when Slack's answer carries messages", () => {
  it('logs them as JSON lines of its own log, the token hidden and the controls escaped', async () => {
    const file = join(dir, 'slack.yaml');
    writeFileSync(
      file,
      `log: { format: json }\nnotifiers:\n  - { name: chat, type: slack, token: ${TOKEN}, channel: '#noc', api_url: '${apiUrl}' }\n`,
    );
    const { code, stdout, stderr } = await runCli(['notify-test', '--config', file, '--notifier', 'chat']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const all = stdout + stderr;
    expect(all).not.toContain(TOKEN);
    for (const raw of ['\u0007', '\u001b', '\u202e']) expect(all).not.toContain(raw);
    const [logged, ...said] = stderr.trimEnd().split('\n');
    // The client's line is one JSON record of the log; then the command's own answer.
    const record = JSON.parse(logged!) as { level: number; component: string; msg: string };
    expect(record).toMatchObject({ level: 40, component: 'slack-web-api' });
    expect(record.msg).toBe('token [redacted], bad \\u001b]0;pwned\\u0007 \\u202eevil');
    expect(said).toEqual([
      'chat: not delivered: Slack refused: invalid_auth (NOTIFY_AUTH; will not work until the settings change)',
    ]);
  }, 30_000);
});

describe("notify-test when Slack's error is not one of its codes (hT44b R1)", () => {
  it('shows it cut at 100 characters, on one line, secrets hidden before the cut', async () => {
    // A token across the cut at 100: hidden whole first, so no first part of it shows. The error
    // is under 256 KiB: a longer one is said by its length only (test/notify/slack-long-error).
    const error = `${'e'.repeat(95)}${TOKEN} ${'\\u{'.repeat(80_000)}`;
    slack.mode = { kind: 'error', error };
    const file = join(dir, 'slack-long.yaml');
    writeFileSync(
      file,
      `notifiers:\n  - { name: chat, type: slack, token: ${TOKEN}, channel: '#noc', api_url: '${apiUrl}' }\n`,
    );
    const { code, stdout, stderr } = await runCli(['notify-test', '--config', file, '--notifier', 'chat']);
    expect(code).toBe(1);
    expect(stdout + stderr).not.toContain('xoxb-1234');
    const said = stderr.trimEnd().split('\n').at(-1)!;
    expect(said).toBe(
      `chat: not delivered: Slack error: "${'e'.repeat(95)}[reda..." (${error.length} characters) (NOTIFY_SERVER_ERROR; may work if tried again)`,
    );
  }, 30_000);
});
