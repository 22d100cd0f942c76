import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioFrom, type RawScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { json, TestServer } from './http-server.js';

/** One notification the local receiver accepted (answered 200). */
export interface Delivery {
  id: string;
  /** Wall-clock ms when it was accepted. */
  at: number;
  /** Scenario minute when it was accepted. */
  minute: number;
  status: string;
  /** Each alert: `endsAt` (ms) and `reason` are a resolve's (`ends_at`, `reason`), sample time. */
  alerts: { id: string; status: string; endsAt?: number; reason?: string }[];
  /** Which process sent it: its RUN_ENV, with a config written `tagRuns` (else undefined). */
  run?: string;
}

/** The variable a process started on a `tagRuns` config names itself in (sent as RUN_HEADER). */
export const RUN_ENV = 'QW_TEST_RUN';
const RUN_HEADER = 'x-qoswatch-test-run';

/**
 * The project's simulator on a clock the test moves (scenario time passes only when the test
 * says, so a loaded machine cannot squeeze a whole episode between two polls) and a local
 * webhook receiver that counts every notification by id: what the reliability tests run a
 * real `qoswatch run` process against.
 */
export class Storm {
  readonly deliveries: Delivery[] = [];
  readonly receiver: TestServer;
  readonly clock: VirtualClock;
  readonly sim: ZoomSimulator;
  /** Set to make the receiver answer 503 (the daemon must retry). */
  refuse: () => boolean = () => false;
  /** What `until` waits on: checked at each delivery. */
  private readonly waiting = new Set<() => void>();

  constructor(raw: RawScenario) {
    const now = Date.now();
    this.clock = new VirtualClock(now);
    this.sim = new ZoomSimulator(scenarioFrom(raw, now), this.clock);
    this.receiver = new TestServer((r, res) => {
      if (this.refuse()) return json(res, 503, {});
      const body = JSON.parse(r.body) as {
        status: string;
        alerts: { id: string; status: string; ends_at?: string | null; reason?: string | null }[];
      };
      const run = r.headers[RUN_HEADER];
      this.deliveries.push({
        id: String(r.headers['x-qoswatch-notification-id']),
        at: Date.now(),
        minute: this.minute(),
        status: body.status,
        alerts: body.alerts.map((a) => ({
          id: a.id,
          status: a.status,
          ...(a.ends_at ? { endsAt: Date.parse(a.ends_at) } : {}),
          ...(a.reason ? { reason: a.reason } : {}),
        })),
        ...(typeof run === 'string' ? { run } : {}),
      });
      for (const check of [...this.waiting]) check();
      json(res, 200, {});
    });
  }

  async start(): Promise<void> {
    await this.sim.listen(0, '127.0.0.1');
    await this.receiver.listen();
  }

  /**
   * Resolves once `ok()` holds, checked now and at each delivery the receiver accepts (an event,
   * not a poll of the clock); fails naming `what` after `ms`, a bound far above the wait.
   */
  until(what: string, ok: () => boolean, ms = 40_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ok()) return;
        clearTimeout(timer);
        this.waiting.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.waiting.add(check);
      check();
    });
  }

  /** Scenario minutes passed on the simulator's clock. */
  minute(): number {
    return (this.clock.now() - this.sim.scenario.start) / 60_000;
  }

  /** Moves scenario time on. */
  advance(minutes: number): void {
    this.clock.advance(minutes * 60_000);
  }

  async close(): Promise<void> {
    await this.receiver.close();
    await this.sim.close();
  }

  /**
   * A config for `qoswatch run` against this storm: one latency rule (300 ms for a minute of
   * sample time; or the rule file `rulesPath`), each alert its own group, a webhook to the receiver;
   * `zoom.date_clock: zoom`, as `advance()` moves the simulator minutes ahead of the daemon's clock.
   * `tagRuns`: each request names the process that sent it (`Delivery.run`), from its environment
   * variable RUN_ENV, which each process must then be started with.
   */
  writeConfig(
    dir: string,
    extra = '',
    timing = 'group_wait: 1s, group_interval: 1s',
    stateDir = join(dir, 'state'),
    rulesPath?: string,
    tagRuns = false,
  ): string {
    const rules = rulesPath ?? join(dir, 'rules.yaml');
    if (!rulesPath)
      writeFileSync(
        rules,
        'rules:\n  - name: latency-high\n    streams: [any_audio]\n    metric: latency\n    when: above\n' +
          '    threshold: 300ms\n    for: 1m\n    recovery: { threshold: 250ms, for: 1m }\n    severity: warning\n',
      );
    const file = join(dir, 'config.yaml');
    const url = this.sim.url;
    writeFileSync(
      file,
      `zoom:\n  api_url: ${url}\n  oauth_url: ${url}/oauth/token\n  account_id: a\n  client_id: c\n  client_secret: s\n` +
        // The simulator runs ahead of this process's clock as the test moves it: its Date followed.
        `  date_clock: zoom\n` +
        `sources: { webinars: false }\n` +
        `poll: { min_interval: 10s, discovery_interval: 10s, shutdown_timeout: 5s }\n` +
        `rules: { paths: ['${rules}'], watch: false }\n` +
        `metrics: { listen: '127.0.0.1:0' }\nstate: { dir: '${stateDir}' }\nlog: { format: json }\n` +
        `notifiers:\n  - { name: hook, type: webhook, url: '${this.receiver.url}/hook'` +
        (tagRuns ? `, headers: { ${RUN_HEADER}: '\${${RUN_ENV}}' }` : '') +
        ` }\n` +
        `route: { receiver: hook, group_by: ['...'], ${timing}, repeat_interval: 24h }\n` +
        `delivery: { retry_initial: 100ms, retry_max: 500ms }\n` +
        extra,
    );
    return file;
  }
}

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with its printed seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const wallSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits (wall clock: the daemon is a real process) until `ok`, failing with `what` after `ms`. */
export async function waitFor(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  for (let t = 0; t < ms && !ok(); t += 50) await wallSleep(50);
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}
