import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver, type WebhooksSettings } from '../../../src/poll/webhooks/receiver.js';
import { Spool, type SpoolEntry } from '../../../src/poll/webhooks/spool.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { fromRoot } from '../../../src/util/package-root.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';

const SECRET = 'qss-secret-token-1';
const fixture = (name: string): string =>
  readFileSync(fromRoot('test', 'fixtures', 'zoom-webhooks', `${name}.json`), 'utf8');

const clock = new VirtualClock(Date.parse('2026-12-01T12:00:00Z'));
const records: SpoolEntry[] = [];
let receiver: WebhookReceiver;
let spool: Spool;
let base: string;
let url: string;

const settings: WebhooksSettings = {
  host: '127.0.0.1',
  port: 0,
  apps: [
    { name: 'main', path: '/zoom/qss', secretToken: SECRET },
    { name: 'other', path: '/zoom/other', secretToken: 'another-secret' },
  ],
  maxBodyBytes: 8 * 1024,
  maxAgeMs: 5 * 60_000,
  takeoverAfterMs: 180_000,
};

beforeAll(async () => {
  spool = new Spool(mkdtempSync(join(tmpdir(), 'qw-spool-')));
  receiver = new WebhookReceiver(settings, {
    clock,
    log: silentLogger(),
    spool,
    onRecord: (e) => records.push(e),
  });
  base = await receiver.listen();
  url = `${base}/zoom/qss`;
});
afterAll(async () => {
  await receiver.close();
  await spool.close();
});

const refused = (reason: string): number => receiver.stats.refused.get(reason as never) ?? 0;

describe('the webhook receiver', () => {
  it('accepts a QoS event signed exactly as Zoom signs, after it is on disk', async () => {
    const body = fixture('meeting.participant_qos');
    const before = records.length;
    const a = await post(url, body, zoomHeaders(SECRET, body, clock.now()));
    expect(a).toEqual({ status: 200, body: '{"status":"accepted"}' });
    expect(records.length).toBe(before + 1);
    expect(records.at(-1)!.record).toMatchObject({ app: 'main', body, at: clock.now() });
    // The body parsed to read its event goes on with the record (the push source reads it).
    expect(records.at(-1)!.parsed).toEqual(JSON.parse(body));
    expect(readFileSync(spool.file, 'utf8')).toContain(JSON.stringify(body));
  });

  it('answers endpoint.url_validation as Zoom specifies: plainToken and its HMAC-SHA256 under the secret', async () => {
    const body = JSON.stringify({
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
      event_ts: 1654503849680,
      event: 'endpoint.url_validation',
    });
    const a = await post(`${base}/zoom/other`, body, zoomHeaders('another-secret', body, clock.now()));
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', 'another-secret').update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });

  it('verifies over the raw bytes: spacing and key order that JSON.stringify would change still verify', async () => {
    const body = `{ "payload" :{"object":{"uuid":"x==","participant":{"user_id":"7","qos":[]}},"account_id":"A"},\n "event":"meeting.participant_qos", "event_ts": 1 , "note":"caf\u00e9 \u2603"}`;
    const a = await post(
      url,
      Buffer.from(body, 'utf8'),
      zoomHeaders(SECRET, Buffer.from(body, 'utf8'), clock.now()),
    );
    expect(a.status).toBe(200);
  });

  const cases: { name: string; reason: string; status: number; send: () => Promise<{ status: number }> }[] = [
    {
      name: 'a signature made with another secret',
      reason: 'bad_signature',
      status: 401,
      send: () => {
        const body = fixture('session.user_qos');
        return post(url, body, zoomHeaders('wrong-secret', body, clock.now()));
      },
    },
    {
      name: "another app's secret on this app's path",
      reason: 'bad_signature',
      status: 401,
      send: () => {
        const body = fixture('session.user_qos');
        return post(url, body, zoomHeaders('another-secret', body, clock.now()));
      },
    },
    {
      name: 'a body changed after signing',
      reason: 'bad_signature',
      status: 401,
      send: () => {
        const body = fixture('session.user_qos');
        return post(url, body.replace('134 ms', '13 ms'), zoomHeaders(SECRET, body, clock.now()));
      },
    },
    {
      name: 'a truncated signature',
      reason: 'bad_signature',
      status: 401,
      send: () => {
        const body = fixture('session.user_qos');
        const h = zoomHeaders(SECRET, body, clock.now());
        return post(url, body, { ...h, 'x-zm-signature': h['x-zm-signature']!.slice(0, 20) });
      },
    },
    {
      name: 'no signature',
      reason: 'no_signature',
      status: 401,
      send: () => post(url, '{}', { 'x-zm-request-timestamp': String(Math.floor(clock.now() / 1000)) }),
    },
    {
      name: 'a timestamp that is not a number',
      reason: 'bad_timestamp',
      status: 401,
      send: () => {
        const h = zoomHeaders(SECRET, '{}', clock.now());
        return post(url, '{}', { ...h, 'x-zm-request-timestamp': '12e9' });
      },
    },
    {
      name: 'a correctly signed request six minutes old',
      reason: 'stale',
      status: 401,
      send: () => {
        const body = fixture('webinar.participant_qos');
        return post(url, body, zoomHeaders(SECRET, body, clock.now() - 6 * 60_000));
      },
    },
    {
      name: 'a correctly signed request six minutes in the future',
      reason: 'stale',
      status: 401,
      send: () => {
        const body = fixture('webinar.participant_qos');
        return post(url, body, zoomHeaders(SECRET, body, clock.now() + 6 * 60_000));
      },
    },
    { name: 'GET', reason: 'method', status: 405, send: () => post(url, '', {}, 'GET') },
    {
      name: 'an unknown path',
      reason: 'not_found',
      status: 404,
      send: () => post(`${base}/zoom/nope`, '{}', zoomHeaders(SECRET, '{}', clock.now())),
    },
    ...['//', '///zoom/qss', '//zoom/qss', '/zoom/qss/', '/ZOOM/QSS'].map((p) => ({
      name: `a path that is not an app's exactly (${p})`,
      reason: 'not_found',
      status: 404,
      send: () => {
        const body = fixture('meeting.participant_qos');
        return post(`${base}${p}`, body, zoomHeaders(SECRET, body, clock.now()));
      },
    })),
    {
      name: 'a body over the limit (declared)',
      reason: 'too_large',
      status: 413,
      send: () => {
        const body = 'x'.repeat(9000);
        return post(url, body, zoomHeaders(SECRET, body, clock.now()));
      },
    },
    {
      name: 'a signed body that is not JSON',
      reason: 'bad_json',
      status: 400,
      send: () => post(url, '{"event":', zoomHeaders(SECRET, '{"event":', clock.now())),
    },
    {
      name: 'url_validation without a plainToken',
      reason: 'bad_request',
      status: 400,
      send: () => {
        const body = '{"event":"endpoint.url_validation","payload":{}}';
        return post(url, body, zoomHeaders(SECRET, body, clock.now()));
      },
    },
  ];
  for (const c of cases)
    it(`refuses ${c.name} (${c.status}, counted as ${c.reason}), before it reaches the pipeline`, async () => {
      const before = { n: refused(c.reason), records: records.length };
      const a = await c.send();
      expect(a.status).toBe(c.status);
      expect(refused(c.reason)).toBe(before.n + 1);
      expect(records.length).toBe(before.records);
    });

  it('refuses a body over the limit that declares no length, without reading all of it', async () => {
    const before = refused('too_large');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('y'.repeat(1024));
      req.end();
    }).catch(() => 413);
    expect(status).toBe(413);
    expect(refused('too_large')).toBe(before + 1);
  });

  it('refuses a replay (same signature), and acknowledges a redelivery (same body, new timestamp) without handing it on twice', async () => {
    const body = fixture('meeting.participant_data');
    const h = zoomHeaders(SECRET, body, clock.now());
    const before = records.length;
    expect((await post(url, body, h)).status).toBe(200);
    const replays = refused('replay');
    expect((await post(url, body, h)).status).toBe(409);
    expect(refused('replay')).toBe(replays + 1);
    clock.advance(5_000);
    const again = await post(url, body, zoomHeaders(SECRET, body, clock.now()));
    expect(again).toEqual({ status: 200, body: '{"status":"duplicate"}' });
    expect(records.length).toBe(before + 1);
    expect(receiver.stats.outcomes.get('duplicate')).toBe(1);
  });

  it('acknowledges and counts events it does not read', async () => {
    const body = JSON.stringify({ event: 'meeting.chat_message_sent', payload: {} });
    expect(await post(url, body, zoomHeaders(SECRET, body, clock.now()))).toEqual({
      status: 200,
      body: '{"status":"ignored"}',
    });
    expect(receiver.stats.events.get('other')).toBe(1);
  });

  it('never crashes and never answers 500 on hostile input (random paths, methods, headers, bodies)', async () => {
    const statuses = new Set<number>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          path: fc.constantFrom(
            '/zoom/qss',
            '/zoom/other',
            '/',
            '/zoom/qss/../x',
            '/%ff',
            '//',
            '//x/zoom/qss',
          ),
          method: fc.constantFrom('POST', 'PUT', 'GET', 'DELETE'),
          ts: fc.oneof(
            fc.string(),
            fc.constant(String(Math.floor(clock.now() / 1000))),
            fc.nat().map(String),
          ),
          sig: fc.oneof(
            fc.string(),
            fc
              .uint8Array({ minLength: 32, maxLength: 32 })
              .map((b) => `v0=${Buffer.from(b).toString('hex')}`),
          ),
          body: fc.oneof(
            fc.string({ maxLength: 3000 }),
            fc.json(),
            fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
          ),
          signIt: fc.boolean(),
        }),
        async (r) => {
          runs++;
          const body = typeof r.body === 'string' ? r.body : r.body;
          const headers = r.signIt
            ? zoomHeaders(SECRET, body, clock.now())
            : {
                'x-zm-request-timestamp': r.ts.replace(/[^\x20-\x7e]/g, ''),
                'x-zm-signature': r.sig.replace(/[^\x20-\x7e]/g, ''),
              };
          const a = await post(`${base}${r.path}`, body, headers, r.method);
          statuses.add(a.status);
          expect(a.status).toBeLessThan(500);
        },
      ),
      { numRuns: 300, seed: 15 },
    );
    expect(runs).toBe(300);
    expect(statuses.has(200)).toBe(true);
    // Still answering.
    const body = fixture('session.user_qos_summary');
    expect((await post(url, body, zoomHeaders(SECRET, body, clock.now()))).status).toBe(200);
  });
});
