import { json, TestServer, type Received } from './http-server.js';

export interface SlackCall {
  method: string;
  token: string;
  args: Record<string, unknown>;
}

/**
 * A local fake of the Slack Web API (reached through slackApiUrl): chat.postMessage and
 * chat.update with Slack's answer shapes and errors, recording every call.
 */
export class FakeSlack {
  readonly server: TestServer;
  readonly calls: SlackCall[] = [];
  /** What the next calls answer: ok, a platform error, an HTTP status, or Slack's 429. */
  mode:
    | { kind: 'ok' }
    | { kind: 'hang' }
    | { kind: 'error'; error: string }
    | { kind: 'http'; status: number }
    | { kind: 'ratelimited'; retryAfter: number } = { kind: 'ok' };
  private seq = 1000;
  token = 'xoxb-test-token';

  constructor() {
    this.server = new TestServer((r, res) => this.answer(r, res));
  }

  private answer(r: Received, res: Parameters<TestServer['reply']>[1]): void {
    const method = r.path.replace(/^\/api\//, '').split('?')[0]!;
    const args = r.headers['content-type']?.includes('json')
      ? (JSON.parse(r.body || '{}') as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(r.body));
    for (const k of ['blocks', 'attachments']) if (typeof args[k] === 'string') args[k] = JSON.parse(args[k]);
    const token = (r.headers.authorization ?? '').replace(/^Bearer /, '');
    this.calls.push({ method, token, args });
    const m = this.mode;
    if (m.kind === 'hang') return;
    if (m.kind === 'http') return json(res, m.status, { ok: false });
    if (m.kind === 'ratelimited')
      return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(m.retryAfter) });
    if (m.kind === 'error') return json(res, 200, { ok: false, error: m.error });
    if (token !== this.token) return json(res, 200, { ok: false, error: 'invalid_auth' });
    if (method === 'chat.postMessage')
      return json(res, 200, {
        ok: true,
        channel: 'C123',
        ts: `${++this.seq}.000100`,
        message: { text: args.text },
      });
    if (method === 'chat.update') return json(res, 200, { ok: true, channel: args.channel, ts: args.ts });
    json(res, 200, { ok: false, error: 'unknown_method' });
  }

  async listen(): Promise<string> {
    await this.server.listen();
    return `${this.server.url}/api/`;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
