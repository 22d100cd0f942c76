import { afterAll, beforeAll, beforeEach } from 'vitest';
import { json, TestServer, type Received } from './http-server.js';

export interface SlackCall {
  method: string;
  token: string;
  args: Record<string, unknown>;
  /** chat.postMessage: the ts Slack answered with (a message's id, for its updates and thread replies). */
  ts?: string;
}

/** A file uploaded through files.getUploadURLExternal, the upload URL and files.completeUploadExternal. */
export interface SlackUpload {
  id: string;
  filename: string;
  length: number;
  content?: string;
  /** Set when files.completeUploadExternal shares it. */
  channel?: string;
  threadTs?: string;
  title?: string;
}

/**
 * A local fake of the Slack Web API (reached through slackApiUrl): chat.postMessage,
 * chat.update and the external file upload (files.getUploadURLExternal, a POST to the URL it
 * gives, files.completeUploadExternal) with Slack's answer shapes and errors, recording every call.
 */
export class FakeSlack {
  readonly server: TestServer;
  readonly calls: SlackCall[] = [];
  /** What the next calls answer: ok, a platform error, an HTTP status, or Slack's 429. */
  mode:
    | { kind: 'ok' }
    | { kind: 'hang' }
    | { kind: 'error'; error: string; messages?: string[] }
    | { kind: 'http'; status: number }
    | { kind: 'ratelimited'; retryAfter: number }
    | { kind: 'huge'; bytes: number; declared: boolean } = { kind: 'ok' };
  /** The last `huge` answer: bytes written, and whether the client closed it before its end. */
  huge?: { written: number; closed: Promise<boolean> };
  /** A method's own mode, over `mode` (the thread reply fails while chat.update works). */
  modes: Partial<Record<string, FakeSlack['mode']>> = {};
  /** Each answer comes this late (real time: a slow Slack; the call is done before the answer). */
  lateMs = 0;
  /**
   * Called as each call arrives, before it is answered: the caller waits for the answer, so
   * what it wrote to disk then is what a kill right after Slack took the call would leave.
   */
  onCall?: (call: SlackCall) => void;
  readonly uploads: SlackUpload[] = [];
  private seq = 1000;
  token = 'xoxb-test-token';

  constructor() {
    this.server = new TestServer((r, res) => {
      if (this.lateMs > 0) setTimeout(() => this.answer(r, res), this.lateMs);
      else this.answer(r, res);
    });
  }

  private answer(r: Received, res: Parameters<TestServer['reply']>[1]): void {
    const upload = /^\/upload\/(F\w+)$/.exec(r.path);
    if (upload) {
      // The upload URL files.getUploadURLExternal handed out: takes the bytes, answers 200 OK.
      const u = this.uploads.find((x) => x.id === upload[1]);
      if (!u) return json(res, 404, { ok: false });
      u.content = r.body;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${r.body.length}`);
      return;
    }
    const method = r.path.replace(/^\/api\//, '').split('?')[0]!;
    const args = r.headers['content-type']?.includes('json')
      ? (JSON.parse(r.body || '{}') as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(r.body));
    for (const k of ['blocks', 'attachments']) if (typeof args[k] === 'string') args[k] = JSON.parse(args[k]);
    const text = (k: string): string =>
      typeof args[k] === 'string' || typeof args[k] === 'number' ? String(args[k]) : '';
    const token = (r.headers.authorization ?? '').replace(/^Bearer /, '');
    this.calls.push({ method, token, args });
    this.onCall?.(this.calls.at(-1)!);
    const m = this.modes[method] ?? this.mode;
    if (m.kind === 'hang') return;
    if (m.kind === 'http') return json(res, m.status, { ok: false });
    if (m.kind === 'ratelimited')
      return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(m.retryAfter) });
    if (m.kind === 'error')
      return json(res, 200, {
        ok: false,
        error: m.error,
        ...(m.messages ? { response_metadata: { messages: m.messages } } : {}),
      });
    if (m.kind === 'huge') return this.hugeAnswer(res, m.bytes, m.declared);
    if (token !== this.token) return json(res, 200, { ok: false, error: 'invalid_auth' });
    if (method === 'chat.postMessage') {
      const ts = `${++this.seq}.000100`;
      this.calls.at(-1)!.ts = ts;
      return json(res, 200, { ok: true, channel: 'C123', ts, message: { text: args.text } });
    }
    if (method === 'chat.update') return json(res, 200, { ok: true, channel: args.channel, ts: args.ts });
    if (method === 'files.getUploadURLExternal') {
      if (!args.filename || !Number(args.length))
        return json(res, 200, { ok: false, error: 'invalid_arguments' });
      const id = `F${++this.seq}`;
      this.uploads.push({ id, filename: text('filename'), length: Number(args.length) });
      return json(res, 200, { ok: true, upload_url: `${this.server.url}/upload/${id}`, file_id: id });
    }
    if (method === 'files.completeUploadExternal') {
      const files = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as {
        id: string;
        title?: string;
      }[];
      for (const f of files) {
        const u = this.uploads.find((x) => x.id === f.id);
        if (!u || u.content === undefined) return json(res, 200, { ok: false, error: 'file_not_found' });
        u.channel = text('channel_id');
        if (text('thread_ts')) u.threadTs = text('thread_ts');
        if (f.title) u.title = f.title;
      }
      return json(res, 200, { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) });
    }
    json(res, 200, { ok: false, error: 'unknown_method' });
  }

  /**
   * A chat.postMessage answer padded to `bytes` (a hostile or broken server at slackApiUrl),
   * with its content-length or chunked, written as fast as the client reads it.
   */
  private hugeAnswer(res: Parameters<TestServer['reply']>[1], bytes: number, declared: boolean): void {
    const head = `{"ok":true,"channel":"C123","ts":"${++this.seq}.000100","pad":"`;
    const tail = '"}';
    const length = head.length + bytes + tail.length;
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(declared ? { 'content-length': length } : {}),
    });
    const huge = {
      written: 0,
      closed: new Promise<boolean>((done) => res.on('close', () => done(!res.writableFinished))),
    };
    this.huge = huge;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = bytes;
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        const n = Math.min(left, chunk.length);
        left -= n;
        huge.written += n;
        if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end(tail);
    };
    res.write(head);
    pump();
  }

  async listen(): Promise<string> {
    await this.server.listen();
    return `${this.server.url}/api/`;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/**
 * For a test file: a fake Slack listening while its tests run, and as new before each test
 * (no calls, every call answered OK, at once, no onCall). `apiUrl()`: its slackApiUrl.
 */
export function fakeSlackForFile(): { slack: FakeSlack; apiUrl: () => string } {
  const slack = new FakeSlack();
  let url = '';
  beforeAll(async () => {
    url = await slack.listen();
  });
  afterAll(async () => slack.close());
  beforeEach(() => {
    slack.calls.length = 0;
    slack.mode = { kind: 'ok' };
    slack.modes = {};
    slack.lateMs = 0;
    slack.onCall = undefined;
  });
  return { slack, apiUrl: () => url };
}
