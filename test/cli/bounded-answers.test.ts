import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { healthcheck } from '../../src/cli/healthcheck.js';
import { inspect } from '../../src/cli/inspect.js';
import { postJson } from '../../src/notify/plugins/http.js';
import { MAX_ANSWER_BYTES } from '../../src/util/bounded-answer.js';
import { RedirectPair, TestServer } from '../helpers/http-server.js';

/**
 * A server at a URL someone gave, answering 200 and then a body that never ends (the outside
 * tester's fakedaemon.js `huge` mode): it writes while the client reads, so what it wrote is
 * about what the client read, and `closed` is when the client stopped.
 */
class EndlessServer extends TestServer {
  written = 0;
  private ended!: () => void;
  readonly closed = new Promise<void>((resolve) => (this.ended = resolve));

  constructor() {
    super((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, '[');
      const more = (): void => {
        while (!res.destroyed) {
          this.written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
      };
      res.on('close', () => this.ended());
      more();
    });
  }
}

/** The limit, and what the socket buffers may hold past it. */
const BOUND = MAX_ANSWER_BYTES + 8 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'qw-bounded-'));
let endless: EndlessServer;
const pair = new RedirectPair();
beforeAll(async () => pair.listen());
afterAll(async () => {
  await pair.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await endless?.close();
  vi.restoreAllMocks();
});

const started = async (): Promise<string> => {
  endless = new EndlessServer();
  return endless.listen();
};

/** What a command wrote on stdout while `run` ran. */
async function stdoutOf(run: () => Promise<unknown>): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  await run();
  return out;
}

describe('a command reading a user-given URL stops at MAX_ANSWER_BYTES and follows no redirect', () => {
  it('inspect --daemon: an answer that never ends is an error naming the limit, not ~10 GB read', async () => {
    const url = await started();
    // Fails on the old code: it read until its 15 s timeout (the tester's run: ~10 GB, >60 s).
    await expect(inspect(['--daemon', url])).rejects.toThrow(
      `the daemon at ${url} sent an answer larger than 32 MiB, the most qoswatch reads: it stopped reading`,
    );
    await endless.closed;
    expect(endless.written).toBeLessThan(BOUND);
  });

  it('inspect --daemon: a redirect is said with where it points, not followed with the credentials', async () => {
    vi.stubEnv('QOSWATCH_API_USER', 'admin');
    vi.stubEnv('QOSWATCH_API_PASSWORD', 'pw');
    try {
      // Fails on the old code: fetch followed it, sending the basic auth to the other host.
      await expect(inspect(['--daemon', pair.redirecting.url])).rejects.toThrow(
        `the daemon at ${pair.redirecting.url} answered 307, a redirect to ${pair.otherOrigin}; redirects are not followed: give --daemon the daemon's own URL`,
      );
    } finally {
      vi.unstubAllEnvs();
    }
    expect(pair.other.received).toEqual([]);
  });

  it('healthcheck: takes the status and reads no body, so one that never ends does not hold it', async () => {
    const url = await started();
    const config = join(dir, 'health.yaml');
    writeFileSync(
      config,
      `metrics: { listen: "${url.slice('http://'.length)}" }\nnotifiers:\n  - { name: c, type: console }\n`,
    );
    const out = await stdoutOf(async () => expect(await healthcheck(['--config', config])).toBe(0));
    expect(out).toBe(`${url}/healthz: HTTP 200\n`);
    // Fails on the old code: it read the body to its end, which never came.
    await endless.closed;
    expect(endless.written).toBeLessThan(BOUND);
  });

  it('healthcheck: a redirect is said with where it points, not followed', async () => {
    const config = join(dir, 'redirect.yaml');
    const at = pair.redirecting.url.slice('http://'.length);
    writeFileSync(config, `metrics: { listen: "${at}" }\nnotifiers:\n  - { name: c, type: console }\n`);
    const out = await stdoutOf(async () => expect(await healthcheck(['--config', config])).toBe(1));
    // Fails on the old code: "HTTP 307" alone.
    expect(out).toBe(
      `${pair.redirecting.url}/healthz: HTTP 307, a redirect to ${pair.otherOrigin}; redirects are not followed\n`,
    );
  });

  it('a notifier (notify-test, the daemon): an answer that never ends is dropped at the limit', async () => {
    const url = await started();
    // Fails on the old code: it read the body until the notifier's timeout, however big.
    await postJson('hook', url, '{}', {}, new AbortController().signal, Date.now);
    await endless.closed;
    expect(endless.written).toBeLessThan(BOUND);
  });
});
