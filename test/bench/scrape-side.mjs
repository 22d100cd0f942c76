// One side of scrape.bench.ts in a child process of its own (forked with QW_SIDE, answering over
// IPC), both sides alike: a daemon built from dist/ (`npm run bench` builds first), set up as
// pipeline.ts's and handed the bench's samples, and either its own /metrics (QW_SIDE=daemon) or
// a naive prom-client registry holding the same series (QW_SIDE=naive: one gauge per sample
// name, every series set once, as a naive exporter keeps them; its daemon is never scraped). A
// naive exporter lives in a daemon too: each side's collections walk a daemon's heap, and
// nothing else's (not the other side's series or garbage, not the bench runner's modules). The
// two in one process had peaked at 945 MiB of the bench's 1 GiB bound. Each times its own
// rounds, wall and its process's CPU. The daemon's side loads first and writes its first scrape
// to a file, from which the naive side makes its registry; then both stay alive, their rounds
// alternating, each handing the machine to the other with `release`.
import { Buffer } from 'node:buffer';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { Gauge, Registry } from 'prom-client';

const dist = (path) => import(new URL(`../../dist/src/${path}`, import.meta.url).href);
const { Daemon } = await dist('app/daemon.js');
const { demoConfig } = await dist('cli/demo-config.js');
const { VirtualClock } = await dist('util/clock.js');
const { silentLogger } = await dist('util/logger.js');

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (v) => v.replace(/\\(["\\n])/g, (_, c) => (c === 'n' ? '\n' : c));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

/** The registry of the series in `text`, and what a naive exporter does when new samples come: set every series. */
function naiveRegistry(text) {
  const registry = new Registry();
  const byName = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = unescape(l[2]);
    let family = byName.get(m[1]);
    if (!family) byName.set(m[1], (family = { labels: new Set(), rows: [] }));
    for (const k of Object.keys(labels)) family.labels.add(k);
    family.rows.push([labels, Number(m[3])]);
  }
  let series = 0;
  const families = [...byName].map(([name, { labels, rows }]) => {
    series += rows.length;
    return { gauge: new Gauge({ name, help: name, labelNames: [...labels], registers: [registry] }), rows };
  });
  const setAll = () => {
    for (const { gauge, rows } of families) for (const [l, v] of rows) gauge.set(l, v);
  };
  setAll();
  return { registry, series, setAll };
}

/**
 * A scrape as the HTTP server answers it: the text, or the daemon's pieces of it, then what the
 * server does with them (src/export/http-server.ts's send): the length in bytes (Content-Length)
 * and the UTF-8 bytes of each (a text built by concatenation is flattened there; a piece already
 * in bytes is written as it is). The text is let go of before the scavenges that end a timed
 * region, as the server lets go of it once written.
 */
async function sent(text) {
  let n = 0;
  for (const t of [await text].flat())
    n += typeof t === 'string' ? Buffer.byteLength(t, 'utf8') + Buffer.from(t, 'utf8').length : t.length;
  return n;
}

/** Two scavenges, as ratio.ts's compare does around a timed region with `collect`. */
function youngGc() {
  gc({ type: 'minor' });
  gc({ type: 'minor' });
}

const side = process.env.QW_SIDE;
let daemon;
let naive;
/** The samples handed in, not yet taken in (daemon) or let go of (naive). */
let handed = [];
/**
 * The first minute's samples as they came over IPC (JSON), and its time: every later minute's
 * samples are parsed from them again, as IPC would hand them, at their own time.
 */
let first;
/** The resident set at the first release, once loaded (MiB). */
let loadedMiB;

const handlers = {
  async load(m) {
    first = { json: JSON.stringify(m.samples), at: m.at };
    const config = demoConfig('http://127.0.0.1:2', mkdtempSync(join(tmpdir(), 'qw-bench-')), 0);
    config.metrics.topicLabel = false; // default settings
    config.metrics.participantSeries = m.participantSeries;
    daemon = new Daemon(config, { clock: new VirtualClock(m.at), log: silentLogger() });
    daemon.parts.sink.handle({ type: 'samples', samples: m.samples });
    if (side === 'naive') {
      naive = naiveRegistry(readFileSync(m.textFile, 'utf8'));
      return { series: naive.series };
    }
    const text = await daemon.parts.metrics.text();
    writeFileSync(m.textFile, text);
    return { kib: Math.round(text.length / 1024) };
  },
  /** New samples, outside the timed region; with `take`, the daemon's live state takes them in there and then. */
  hand(m) {
    handed = JSON.parse(first.json);
    for (const s of handed) s.time = first.at + m.minute * 60_000;
    if (m.take && side === 'daemon') take();
    return {};
  },
  /**
   * A timed round: the samples handed taken in (daemon) or let go of (naive; with `setAll`, it
   * sets every series), then `scrapes` scrapes. With `collect`, two scavenges before (not
   * timed) and two at its end (timed), as compare() does.
   */
  async round(m) {
    if (m.collect) youngGc();
    const cpu = process.cpuUsage();
    const start = performance.now();
    if (side === 'daemon') {
      take();
      for (let i = 0; i < m.scrapes; i++) await sent(daemon.parts.metrics.pieces());
    } else {
      handed = [];
      if (m.setAll) naive.setAll();
      for (let i = 0; i < m.scrapes; i++) await sent(naive.registry.metrics());
    }
    if (m.collect) youngGc();
    const ms = performance.now() - start;
    const { user, system } = process.cpuUsage(cpu);
    return { ms, cpuMs: (user + system) / 1000 };
  },
  gc() {
    gc();
    gc();
    return {};
  },
  /**
   * The machine handed to the other side (ratio.ts's Side.release), outside every timed region.
   * If this process stands more than `overMiB` above its resident set once loaded (its first
   * release), its garbage is given back: a full collection. Only then: a forced full collection
   * before a round made the daemon's next round pay 2-3x the CPU for taking in new samples (25
   * -> 74-87 ms at default settings, the same in every round; the naive side's rounds did not
   * move), so it is kept to the rounds after which the garbage stands high. Then, in any case, a
   * wait until this process has been idle for 20 ms (its CPU time grew by under 1 ms; at most
   * 2 s): V8's helper threads, sweeping and giving the freed pages back after gc() returns, or
   * compiling, would otherwise go on beside the other side's timed round.
   */
  async release(m) {
    const rss = () => process.memoryUsage().rss / 1024 / 1024;
    loadedMiB ??= rss();
    const collected = rss() > loadedMiB + m.overMiB;
    if (collected) {
      gc();
      gc();
    }
    const until = performance.now() + 2000;
    for (;;) {
      const cpu = process.cpuUsage();
      await sleep(20);
      const { user, system } = process.cpuUsage(cpu);
      if (user + system < 1000 || performance.now() > until) break;
    }
    return { rssMiB: rss(), collected };
  },
  rss() {
    return { maxRssKiB: process.resourceUsage().maxRSS };
  },
};

function take() {
  if (handed.length) daemon.parts.live.handle({ type: 'samples', samples: handed });
  handed = [];
}

process.on('message', async (m) => process.send(await handlers[m.op](m)));
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
