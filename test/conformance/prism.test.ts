import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startPrism, type PrismMock } from '../helpers/prism.js';

/**
 * `qoswatch once` against Prism serving Zoom's whole Meeting API OpenAPI file: every request
 * we send must pass Prism's request validation, the cycle must end although Prism repeats the
 * example `next_page_token` forever, and Zoom's example values must come out in base units.
 */
const SPEC = new URL('../fixtures/zoom-api/zoom-meeting-api.openapi.json', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'qw-prism-'));
let prism: PrismMock;
let run: CliResult;
let samples: {
  participant: { key: string; join?: string };
  context: Record<string, string>;
  streams: Record<string, Record<string, number>>;
}[];

beforeAll(async () => {
  prism = await startPrism(SPEC);
  const config = join(dir, 'prism.yaml');
  writeFileSync(
    config,
    `zoom:\n  api_url: ${prism.url}\n  oauth_url: ${prism.url}/oauth/token\n  account_id: acct\n  client_id: cid\n  client_secret: secret\n` +
      `sources:\n  meetings: true\n  webinars: true\nmetrics:\n  listen: 127.0.0.1:0\nstate:\n  dir: ${join(dir, 'state')}\nlog:\n  format: json\n`,
  );
  run = await runCli(['once', '--config', config]);
  samples = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as (typeof samples)[number]);
}, 120_000);
afterAll(async () => prism?.close());

describe('qoswatch once against a Prism mock of the Zoom Meeting API', () => {
  it('ends, and reads something', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(samples.length).toBeGreaterThan(0);
  });

  it('sends only requests that pass the spec: no violation but the unsupported apiKey scheme', () => {
    const paths = prism.requests.map((r) => r.path.split('?')[0]);
    for (const p of [
      '/metrics/meetings',
      '/metrics/webinars',
      expect.stringMatching(/^\/metrics\/meetings\/[^/]+\/participants\/qos$/),
      expect.stringMatching(/^\/metrics\/webinars\/[^/]+\/participants\/qos$/),
    ])
      expect(paths).toContainEqual(p);
    const violations = prism.requests.flatMap((r) =>
      r.violations
        // Prism cannot check the spec's apiKey header scheme; it says so on every request.
        .filter((v) => !/security scheme: apiKey/.test(v.message))
        .map((v) => `${r.path}: ${v.severity} ${v.message}`),
    );
    expect(violations).toEqual([]);
    expect(prism.requests.filter((r) => r.status >= 400).map((r) => `${r.status} ${r.path}`)).toEqual([]);
  });

  it('stops paging when Prism repeats its example next_page_token', () => {
    const lists = prism.requests.filter((r) => r.path.startsWith('/metrics/meetings?'));
    expect(lists.length).toBe(2);
    expect(run.stderr).toMatch(/next_page_token/);
  });

  it("turns Zoom's example values into base units", () => {
    const streams = samples.flatMap((s) => Object.values(s.streams));
    expect(streams.length).toBeGreaterThan(0);
    expect(streams).toContainEqual(
      expect.objectContaining({ bitrate: 27150, latency: 0.126, jitter: 0, avgLoss: 0.0003, maxLoss: 0.004 }),
    );
    expect(samples.every((s) => s.participant.key && s.participant.join)).toBe(true);
  });

  it('would see a violation: a list call without from/to, as qoswatch used to send it', async () => {
    const before = prism.requests.length;
    const res = await fetch(`${prism.url}/v2/metrics/meetings?type=live&page_size=300`, {
      headers: { authorization: 'Bearer prism-token' },
    });
    expect(res.status).toBe(400);
    const mine = prism.requests.slice(before).flatMap((r) => r.violations.map((v) => v.message));
    expect(mine).toContainEqual(expect.stringMatching(/required property 'from'/));
  });
});
