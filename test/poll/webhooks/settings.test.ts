import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../../src/app/daemon.js';
import { loadConfig } from '../../../src/config/load.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { fromRoot } from '../../../src/util/package-root.js';
import { captureLog } from '../../helpers/log.js';
import { zoomHeaders, type Answer } from '../../helpers/zoom-webhook.js';
import { zoomTime } from '../../../src/util/zoom-time.js';

/**
 * The `webhooks:` section as a user writes it, end to end through the daemon: HTTPS served by
 * qoswatch itself (`web.tls_server_config`), a timestamp window set shorter than Zoom's 5
 * minutes, a secret token read from a file, Zoom's example payloads; and every line the daemon
 * logs meanwhile, at trace level, free of the token.
 */
const SECRET = 'tls-qss-secret-token-31337';
const T0 = Date.parse('2026-12-01T12:00:00Z');
const ca = readFileSync(fromRoot('test', 'fixtures', 'tls', 'cert.pem'));
/**
 * Zoom's example event `name`, its samples dated now: dated 2021, they would be late (older than
 * gap_tolerance) and make nothing live.
 */
const fixture = (name: string): string =>
  readFileSync(fromRoot('test', 'fixtures', 'zoom-webhooks', `${name}.json`), 'utf8').replace(
    /"date_time": "[^"]+"/g,
    `"date_time": "${zoomTime(clock.now())}"`,
  );

const dir = mkdtempSync(join(tmpdir(), 'qw-webhook-settings-'));
const clock = new VirtualClock(T0);
const { log, lines } = captureLog('trace');
let daemon: Daemon;
let url = '';

/** A POST over HTTPS that trusts only the test certificate. */
function post(body: string, headers: Record<string, string>, path = '/zoom/qss'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  writeFileSync(join(dir, 'qss.token'), `${SECRET}\n`, { mode: 0o600 });
  const file = join(dir, 'qoswatch.yaml');
  writeFileSync(
    file,
    `zoom:
  account_id: a
  client_id: c
  client_secret: s
  api_url: http://127.0.0.1:2
state:
  dir: ${join(dir, 'state')}
metrics:
  listen: 127.0.0.1:0
webhooks:
  listen: 127.0.0.1:0
  max_age: 1m
  takeover_after: 7m
  web:
    tls_server_config:
      cert_file: ${fromRoot('test', 'fixtures', 'tls', 'cert.pem')}
      key_file: ${fromRoot('test', 'fixtures', 'tls', 'key.pem')}
  apps:
    - name: qss
      path: /zoom/qss
      secret_token_file: qss.token
`,
  );
  const config = loadConfig(file, {});
  expect(config.webhooks).toMatchObject({
    maxAgeMs: 60_000,
    takeoverAfterMs: 7 * 60_000,
    apps: [{ secretToken: SECRET }],
  });
  daemon = new Daemon(config, { clock, log });
  await daemon.listen();
  url = daemon.parts.webhooks!.url!;
});
afterAll(async () => {
  await daemon.close();
});

describe('the webhooks section, as configured', () => {
  it('serves HTTPS itself with tls_server_config: Zoom’s example event accepted, url_validation answered', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = fixture('meeting.participant_qos');
    expect(await post(body, zoomHeaders(SECRET, body, clock.now()))).toEqual({
      status: 200,
      body: '{"status":"accepted"}',
    });
    const check = JSON.stringify({
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
      event_ts: 1654503849680,
      event: 'endpoint.url_validation',
    });
    const a = await post(check, zoomHeaders(SECRET, check, clock.now()));
    expect(JSON.parse(a.body)).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });

  it('refuses plain HTTP on the HTTPS listener', async () => {
    const plain = url.replace('https:', 'http:');
    const body = fixture('webinar.participant_qos');
    // The TLS server answers a plain request with a TLS alert or closes it: never a 200.
    const status = await fetch(`${plain}/zoom/qss`, {
      method: 'POST',
      headers: zoomHeaders(SECRET, body, clock.now()),
      body,
    }).then(
      (r) => r.status,
      () => 0,
    );
    expect(status).not.toBe(200);
    expect(daemon.parts.webhooks!.receiver.stats.events.get('webinar.participant_qos')).toBeUndefined();
  });

  it('keeps to max_age as set (1m, not Zoom’s 5m): 50 s old taken, 70 s old refused as stale, either way', async () => {
    const stale = (): number => daemon.parts.webhooks!.receiver.stats.refused.get('stale') ?? 0;
    const before = stale();
    const body = fixture('session.user_qos');
    expect((await post(body, zoomHeaders(SECRET, body, clock.now() - 50_000))).status).toBe(200);
    const other = fixture('webinar.participant_qos');
    expect((await post(other, zoomHeaders(SECRET, other, clock.now() - 70_000))).status).toBe(401);
    expect((await post(other, zoomHeaders(SECRET, other, clock.now() + 70_000))).status).toBe(401);
    expect(stale()).toBe(before + 2);
    clock.advance(10_000);
    // The same bytes signed now: inside the window again, so taken (a first delivery, not a replay).
    expect((await post(other, zoomHeaders(SECRET, other, clock.now()))).status).toBe(200);
  });

  it('leaves the push path after takeover_after as set (7m, not the default 3m)', () => {
    // Zoom's example meeting was pushed at T0 (the first test), nothing of it since.
    const pathAt = (now: number): string | undefined =>
      (daemon.parts.webhooks!.status(now).instances as { instance: string; path: string }[]).find(
        (i) => i.instance === 'meeting:4444AAAiAAAAAiAiAiiAii==',
      )?.path;
    expect(daemon.parts.webhooks!.status(T0).takeover_after_ms).toBe(7 * 60_000);
    expect(pathAt(T0 + 3 * 60_000 + 1000)).toBe('push');
    expect(pathAt(T0 + 7 * 60_000 - 1000)).toBe('push');
    // This daemon polls nothing (discovery never lists these UUIDs): polling has nothing to
    // take back, so the meeting and Zoom's example session (pushed at T0 too) are dropped, not
    // counted as takeovers (issue 15 D4); the webinar (pushed at T0 + 10 s) stays until 7
    // minutes after its push.
    expect(pathAt(T0 + 7 * 60_000 + 1000)).toBeUndefined();
    const later = daemon.parts.webhooks!.status(T0 + 7 * 60_000 + 2000);
    expect(later.takeovers).toBe(0);
    expect(later.on_push).toBe(1);
    expect(later.instances).toEqual([expect.objectContaining({ path: 'push' })]);
  });

  it('never logs the secret token, whatever it is sent, at trace level, through a spool failure and stop', async () => {
    const body = fixture('meeting.participant_data');
    const h = zoomHeaders(SECRET, body, clock.now());
    await post(body, h);
    await post(body, h); // replay
    await post(body, zoomHeaders('not-the-secret', body, clock.now())); // forged
    await post(body, { ...h, 'x-zm-signature': `v0=${SECRET}` }); // the token itself as a signature
    await post(`{"event":"endpoint.url_validation","payload":{"plainToken":"${SECRET}"}}`, h);
    // The disk gone: the spool refuses, the receiver answers 503 and logs it.
    await daemon.parts.webhooks!.spool.close();
    const late = fixture('meeting.participant_qos_summary');
    expect((await post(late, zoomHeaders(SECRET, late, clock.now()))).status).toBe(503);
    await daemon.close();
    const said = (re: RegExp): boolean => lines.some((l) => re.test(l.msg));
    expect(said(/cannot write the webhook spool/)).toBe(true);
    // Refusals are logged (the first of each reason): the operator sees a wrong token at once.
    expect(said(/webhook request refused \(bad_signature; 1 so far\): .*secret token/)).toBe(true);
    expect(said(/webhook request refused \(replay; 1 so far\)/)).toBe(true);
    expect(said(/webhook request refused \(stale; 1 so far\)/)).toBe(true);
    expect(said(/webhook request refused \(bad_signature; 2 so far\)/)).toBe(false);
    const logged = lines.map((l) => JSON.stringify(l)).join('\n');
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(SECRET.slice(0, 12));
  });
});
