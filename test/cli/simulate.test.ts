import { describe, expect, it } from 'vitest';
import { printed, startCli } from '../helpers/cli.js';

describe('qoswatch simulate', () => {
  it('serves the default scenario, as the README shows with curl', async () => {
    const p = startCli(['simulate', '--port', '0']);
    const url = (await printed(p, /on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    expect(p.output()).toContain(
      `curl -s -X POST -u any-id:any-secret '${url}/oauth/token?grant_type=account_credentials&account_id=any'`,
    );
    const day = new Date().toISOString().slice(0, 10);
    const token = (await (
      await fetch(`${url}/oauth/token?grant_type=account_credentials&account_id=any`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('any-id:any-secret').toString('base64')}` },
      })
    ).json()) as { access_token: string };
    const meetings = (await (
      await fetch(`${url}/v2/metrics/meetings?type=live&from=${day}&to=${day}`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      })
    ).json()) as {
      meetings: { topic: string }[];
    };
    expect(meetings.meetings.map((m) => m.topic)).toContain('Weekly engineering sync');
    const status = (await (await fetch(`${url}/_sim/status`)).json()) as {
      scenario: string;
      peak: Record<string, number>;
    };
    expect(status.scenario).toBe('default');
    // Each rate-limit window's peak as "account/category" (old code: "any\u0000Heavy").
    expect(Object.keys(status.peak).length).toBeGreaterThan(0);
    for (const key of Object.keys(status.peak)) expect(key).toMatch(/^any\/[A-Za-z-]+$/);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});
