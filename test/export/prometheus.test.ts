import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { debianBinary } from '../helpers/binaries.js';
import { waitForOk } from '../helpers/cli.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { PROMETHEUS_LISTENING, startOnPortZero } from '../helpers/listening-child.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

const binary = debianBinary('prometheus', 'prometheus');
let h: SimHarness;
let daemon: Daemon;
let prometheus: ChildProcess | undefined;
let prom = '';

beforeAll(async () => {
  if (!binary) return;
  h = await startSim(
    {
      meetings: [
        {
          id: 88000000001,
          uuid: 'stays==',
          topic: 'Stays',
          crowd: { count: 7, prefix: 'st-', muted_share: 0 },
        },
        {
          id: 88000000002,
          uuid: 'ends==',
          topic: 'Ends',
          end: '20m',
          crowd: { count: 5, prefix: 'en-', muted_share: 0 },
        },
      ],
    },
    0,
  );
  ({ daemon } = daemonFor(h, (c) => (c.sources = { meetings: true, webinars: false, sessions: false })));
  await runUntil(daemon, h, T0 + 10 * 60_000);
  const target = new URL(await daemon.listen()).host;
  const dir = mkdtempSync(join(tmpdir(), 'qw-prom-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: qoswatch\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  // On port 0, the port read back from its log: none picked beforehand for another test to take.
  ({ child: prometheus, url: prom } = await startOnPortZero(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
    ],
    PROMETHEUS_LISTENING,
  ));
  await waitForOk(`${prom}/-/ready`, 400);
}, 60_000);
afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await daemon?.close();
  await h?.close();
});

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
async function query(q: string): Promise<Sample[]> {
  const res = (await (await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
    data: { result: Sample[] };
  };
  return res.data.result;
}
/** Asks Prometheus until `ok` holds: it scrapes every second, so this is bounded at 30 s. */
async function eventually(q: string, ok: (r: Sample[]) => boolean): Promise<Sample[]> {
  let r: Sample[] = [];
  for (let i = 0; i < 150; i++) {
    r = await query(q);
    if (ok(r)) return r;
    await new Promise((res) => setTimeout(res, 200));
  }
  return r;
}

describe.runIf(binary)('a real Prometheus scraping the daemon', () => {
  it('finds the expected series with the expected values', async () => {
    const up = await eventually('up{job="qoswatch"}', (r) => r[0]?.value[1] === '1');
    expect(up[0]?.value[1]).toBe('1');
    const participants = await eventually('qoswatch_instance_participants', (r) => r.length === 2);
    const byInstance: Record<string, number> = Object.fromEntries(
      participants.map((s) => [s.metric.instance_id ?? '', Number(s.value[1])]),
    );
    const world = h.sim.world;
    const now = h.clock.now();
    expect(byInstance).toEqual(
      Object.fromEntries(h.sim.scenario.instances.map((i) => [i.id, world.present(i, now).length])),
    );
    const text = await daemon.parts.metrics.text();
    const max = await query(
      'qoswatch_stream_latency_seconds{instance_id="88000000001",stream="audio_input",aggregation="max"}',
    );
    expect(max).toHaveLength(1);
    const expected = new RegExp(
      `qoswatch_stream_latency_seconds\\{kind="meeting",instance_id="88000000001",instance_uuid="stays==",stream="audio_input",direction="sent",aggregation="max"\\} (\\S+)`,
    ).exec(text)![1];
    expect(Number(max[0]!.value[1])).toBe(Number(expected));
    expect(await query('qoswatch_zoom_requests_total{outcome="ok"}')).not.toEqual([]);
  });

  it('finds the series of an ended meeting gone', async () => {
    // Cycles driven one by one: the daemon (and the endpoint Prometheus scrapes) keeps running.
    while (h.clock.now() < T0 + 22 * 60_000) {
      await daemon.parts.scheduler.cycle(new AbortController().signal);
      h.clock.advance(60_000);
    }
    // "Ends" ended at minute 20.
    const left = await eventually('qoswatch_instance_participants', (r) => r.length === 1);
    expect(left.map((s) => s.metric.instance_id)).toEqual(['88000000001']);
    expect(await query('qoswatch_stream_latency_seconds{instance_id="88000000002"}')).toEqual([]);
  });
});
