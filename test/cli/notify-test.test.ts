import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { HungSmtp } from '../helpers/smtp.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-notify-test-'));
const smtp = new HungSmtp();
beforeAll(async () => smtp.listen());
afterAll(async () => {
  await smtp.close();
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
    expect(smtp.connections).toBe(1);
    await smtp.until((s) => s.closed === 1);
    // A generous bound (the start of a loaded machine): the old code took nodemailer's 15 s
    // greeting timeout and more, whatever delivery.timeout said.
    expect(took).toBeLessThan(10_000);
  }, 30_000);
});
