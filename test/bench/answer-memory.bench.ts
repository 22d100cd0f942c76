import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, bench, describe } from 'vitest';
import { note } from './ratio.js';

/**
 * The peak resident set of one Zoom answer read by the client (dist/; `npm run build` first), in
 * a process of its own (answer-peak.mjs), for the outside tester's hostile bodies and for the
 * largest real QoS page the read cap lets through. The server runs here, so its copy of the body
 * is not counted. ANSWER_BASELINE=/path/to/an/older/dist measures that build too, side by side.
 */

const nested = (levels: number): string => `{"participants":${'['.repeat(levels)}${']'.repeat(levels)}}`;
const flat = (n: number): string => `{"participants":[${'{},'.repeat(n)}{}]}`;
/** `n` arrays of `of` copies of `item`, joined. */
const arrays = (n: number, of: number, item: string): string =>
  Array.from({ length: n }, () => `[${Array.from({ length: of }, () => item).join(',')}]`).join(',');
/**
 * As much as a QoS page's bounds let through (answer-bounds.ts), in the forms that cost the most
 * per value: 342,720 empty objects, then 3.97 million numbers that each take a heap object, in
 * arrays of 1,440 (the longest array allowed), themselves in arrays of at most 1,440.
 */
const atTheBounds = (): string =>
  `{"participants":[[${arrays(238, 1440, '{}')}],[${arrays(1440, 1440, '1.5')}],[${arrays(1319, 1440, '1.5')}]]}`;
let made = 0;
/** `n` arrays of 1,440 strings of 11 characters, each different (longer than V8 shares: each its own heap string). */
const strings = (n: number): string =>
  Array.from(
    { length: n },
    () => `[${Array.from({ length: 1440 }, () => `"s${String(made++).padStart(9, '0')}x"`).join(',')}]`,
  ).join(',');
/**
 * As much as a QoS page's bounds and its read cap (56.3 MiB) let through, in the forms that cost
 * the most: atTheBounds with each number a different string of 11 characters, 55.6 MB. Past its
 * bound on long strings (answer-bounds.ts stringBytes) since that bound was set.
 */
const atTheCap = (): string =>
  `{"participants":[[${arrays(238, 1440, '{}')}],[${strings(1440)}],[${strings(1319)}]]}`;
/**
 * What a QoS page's bounds, its bound on long strings (answer-bounds.ts stringBytes: 14.8 MB) and
 * its read cap let through, in the forms that cost the most: atTheBounds with as many of its
 * numbers as that bound allows different strings of 11 characters (1,346,400, in arrays of
 * 1,440), the rest of its bytes white space, 59 MB.
 */
const atTheStringBound = (): string => {
  const page = `{"participants":[[${arrays(238, 1440, '{}')}],[${strings(935)}],[${arrays(1440, 1440, '1.5')}],[${arrays(384, 1440, '1.5')}]]}`;
  return `${page}${' '.repeat(59_000_000 - page.length)}`;
};
/** 16,800 objects of 64 keys, every key name different: a hidden class and a name per key. */
const distinctKeys = (): string => {
  let k = 0;
  const entry = (): string => `{${Array.from({ length: 64 }, () => `"k${k++}":0`).join(',')}}`;
  return `{"participants":[${Array.from({ length: 16_800 }, entry).join(',')}]}`;
};

/** Ten participants (page_size max) with `minutes` samples each, shaped as Zoom's example. */
function realPage(minutes: number): string {
  const stream = {
    bitrate: '1055 kbps',
    latency: '129 ms',
    jitter: '11 ms',
    avg_loss: '0.0%',
    max_loss: '4.9%',
  };
  const video = { ...stream, resolution: '1280*720', frame_rate: '12 fps' };
  const names = [
    'audio_input',
    'audio_output',
    'audio_device_from_crc',
    'audio_device_to_crc',
    'audio_device_from_rwg',
    'audio_device_to_rwg',
  ];
  const videos = [
    'video_input',
    'video_output',
    'as_input',
    'as_output',
    'video_device_from_crc',
    'video_device_to_crc',
    'as_device_from_crc',
    'as_device_to_crc',
    'video_device_from_rwg',
    'video_device_to_rwg',
    'as_device_from_rwg',
    'as_device_to_rwg',
  ];
  const sample = (k: number): Record<string, unknown> => ({
    date_time: new Date(Date.UTC(2026, 10, 20) + k * 60_000).toISOString().replace('.000', ''),
    ...Object.fromEntries(names.map((n) => [n, { ...stream, latency: `${100 + (k % 50)} ms` }])),
    ...Object.fromEntries(videos.map((n) => [n, video])),
    cpu_usage: {
      zoom_min_cpu_usage: '8%',
      zoom_avg_cpu_usage: '12%',
      zoom_max_cpu_usage: '18%',
      system_max_cpu_usage: '40%',
    },
    wifi_rssi: { max_rssi: -40, avg_rssi: -50, min_rssi: -60, rssi_unit: 'dBm' },
    cpu_pressure_level: {
      system_min_cpu_pressure_level: 'normal',
      system_avg_cpu_pressure_level: 'normal',
      system_max_cpu_pressure_level: 'fair',
    },
  });
  const participants = Array.from({ length: 10 }, (_, i) => ({
    user_id: `1600000${i}`,
    user_name: `User ${i}`,
    join_time: '2026-11-20T00:00:00Z',
    user_qos: Array.from({ length: minutes }, (_, k) => sample(k)),
  }));
  return JSON.stringify({ page_size: 10, next_page_token: '', participants });
}

const CASES: { name: string; key: string; body: () => string; chunked?: boolean }[] = [
  { name: 'deep 2 MB', key: 'meetingQos', body: () => nested(1_000_000) },
  { name: 'deep 4 MB', key: 'meetingQos', body: () => nested(2_000_000) },
  { name: 'deep 16 MB', key: 'meetingQos', body: () => nested(8_000_000) },
  { name: 'flat 3.9 MB', key: 'meetingQos', body: () => flat(1_300_000) },
  { name: 'flat 30 MB', key: 'meetingQos', body: () => flat(10_000_000) },
  { name: 'participants list flat 3.9 MB', key: 'meetingParticipants', body: () => flat(1_300_000) },
  { name: 'QoS page of objects whose keys all differ', key: 'meetingQos', body: distinctKeys },
  { name: 'hostile QoS page at the bounds', key: 'meetingQos', body: atTheBounds },
  { name: 'real QoS page, 10 x 17 h of samples', key: 'meetingQos', body: () => realPage(1000) },
  { name: 'real QoS page, 10 x 24 h of samples', key: 'meetingQos', body: () => realPage(1440) },
  {
    name: 'real QoS page, 10 x 24 h, sent without a length',
    key: 'meetingQos',
    body: () => realPage(1440),
    chunked: true,
  },
  { name: 'hostile QoS page at its bounds and its cap', key: 'meetingQos', body: atTheCap },
  {
    name: 'hostile QoS page at its bounds, its long strings bound and its cap',
    key: 'meetingQos',
    body: atTheStringBound,
  },
  {
    name: 'meetings list of 40 MB',
    key: 'meetings',
    body: () => `{"meetings":[{"topic":"${'x'.repeat(40_000_000)}"}]}`,
  },
  {
    name: 'meetings list of 40 MB, sent without a length',
    key: 'meetings',
    body: () => `{"meetings":[{"topic":"${'x'.repeat(40_000_000)}"}]}`,
    chunked: true,
  },
];

let body = '';
/** Whether the body is sent in pieces of 64 KiB without a content-length (chunked), or whole with one. */
let chunked = false;
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  if (!chunked) return void res.end(body);
  let at = 0;
  const more = (): void => {
    while (at < body.length && !res.destroyed)
      if (!res.write(body.slice(at, (at += 65536)))) return void res.once('drain', more);
    res.end();
  };
  more();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const run = promisify(execFile);
const PEAK = fileURLToPath(new URL('answer-peak.mjs', import.meta.url));
const mib = (n: number): string => `${(n / 1048576).toFixed(0)} MiB`;

async function measure(key: string, dist?: string): Promise<string> {
  // Asynchronous, so that this process's server answers the child.
  const { stdout: out } = await run(process.execPath, [PEAK, url, key, ...(dist ? [dist] : [])]);
  const r = JSON.parse(out) as {
    before: number;
    peak: number;
    heap: number;
    entries: number;
    outcome: string;
  };
  return `peak RSS ${mib(r.peak)} (+${mib(r.peak - r.before)} for the answer), heap after ${mib(r.heap)}, ${r.entries} entries, ${r.outcome}`;
}

describe('one Zoom answer: peak memory', () => {
  for (const c of CASES)
    bench(
      c.name,
      async () => {
        body = c.body();
        chunked = c.chunked ?? false;
        note(`${c.name} (${(body.length / 1e6).toFixed(1)} MB), this build`, await measure(c.key));
        const old = process.env.ANSWER_BASELINE;
        if (old) note(`${c.name}, ${old}`, await measure(c.key, old));
        body = '';
      },
      { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
    );
});
