import type { CycleReport } from '../poll/scheduler.js';
import { alertSeriesText } from './collectors/alert-series.js';
import { QualitySeries } from './collectors/quality.js';
import { type BodyPiece, textOf } from './collectors/utf8-chunks.js';
import type { WebhookObservers } from './collectors/webhooks.js';
import type { HealthRegistry, MetricsInputs } from './registry.js';

/** Observations made before the registry is loaded, replayed into it; more are dropped. */
const MAX_WAITING = 10_000;

/**
 * qoswatch's Prometheus metrics, one collector per area (collectors/), each given a narrow
 * read-only view of its area: the daemon's own health on a prom-client registry (registry.ts),
 * the alert series counted in one pass over the engine's alerts and rendered as text
 * (collectors/alert-series.ts), and call quality (the bulk of a scrape: thousands of series per
 * thousand participants) kept per instance and participant (collectors/quality.ts), worked out
 * again only where the live state changed. Series of instances that ended and of participants who left
 * disappear at the next scrape, never left to go stale.
 *
 * The registry, with prom-client, is loaded at its first use (a scrape, or the first cycle's
 * or push's observation), not at start-up: the daemon is ready sooner (issue 16). Every series
 * but the histograms is read from the daemon at scrape time; what the histograms are fed before
 * the registry is there waits and is replayed into it.
 */
export class Metrics {
  readonly observeCycle: (r: CycleReport) => void;
  /** Hand-off and answer times of the push source (webhooks configured). */
  readonly webhooks: WebhookObservers | undefined;
  private readonly quality: QualitySeries;
  /** Ends pushed instances never listed whose pushes stopped, before a scrape reads the live state. */
  private readonly settle: () => void;
  private health: HealthRegistry | undefined;
  private loading: Promise<HealthRegistry> | undefined;
  private waiting: ((h: HealthRegistry) => void)[] = [];
  /** The render that scrapes arriving now share (see pieces()). */
  private rendering: Promise<BodyPiece[]> | undefined;
  /** Scrapes rendered since start (scrapes that shared one count once). */
  renders = 0;

  constructor(private readonly inputs: MetricsInputs) {
    const { scheduler, clock } = inputs;
    this.observeCycle = (r) => this.feed((h) => h.observeCycle(r));
    this.webhooks = inputs.webhooks && {
      observeLatency: (ms) => this.feed((h) => h.webhooks?.observeLatency(ms)),
      observeAnswer: (ms) => this.feed((h) => h.webhooks?.observeAnswer(ms)),
    };
    this.quality = new QualitySeries(inputs.live, inputs.options);
    this.settle = () => scheduler.expireUnlisted(clock.now());
  }

  /** The content type of `text()`: Prometheus text format 0.0.4. */
  get contentType(): string {
    return this.health?.registry.contentType ?? 'text/plain; version=0.0.4; charset=utf-8';
  }

  async text(): Promise<string> {
    return textOf(await this.pieces());
  }

  /**
   * `text()` in pieces, as the HTTP server writes them, all UTF-8 bytes: the call quality series
   * written as bytes as they are rendered (collectors/utf8-chunks.ts), the rest encoded once.
   * Flattening and encoding one text of them all cost more than rendering it (issue 16).
   *
   * Scrapes that come in the same turn of the event loop share one render, made at the end of
   * that turn: a flood of scrapes on many connections renders a few times, not once each (a
   * pipelined flood on one connection is answered one at a time by the server). Each connection
   * writes the same bytes: one that does not read holds no copy of its own.
   */
  pieces(): Promise<BodyPiece[]> {
    // Cleared as the render starts: a scrape that comes while it runs gets a render of its own.
    this.rendering ??= new Promise<void>((r) => setImmediate(r)).then(() => {
      this.rendering = undefined;
      this.renders++;
      return this.render();
    });
    return this.rendering;
  }

  private async render(): Promise<BodyPiece[]> {
    const health = await this.registry();
    this.settle();
    // As one registry of both renders them (prom-client: each family's text, blank lines between).
    const rest = `${await health.defaults.metrics()}\n${await health.registry.metrics()}`;
    const out: BodyPiece[] = [
      Buffer.from(rest.endsWith('\n') ? rest : `${rest}\n`),
      Buffer.from(alertSeriesText(this.inputs.engine.brief())),
    ];
    return this.quality.pieces(out);
  }

  /**
   * The registry, loaded on the first call. An import that fails (a chunk missing for the instant
   * a rebuild swaps dist/, scripts/build.mjs) is not kept: the next call (scrape, observation)
   * imports again, as Node caches no failure to find a module.
   */
  private registry(): Promise<HealthRegistry> {
    this.loading ??= import('./registry.js').then(
      ({ healthRegistry }) => {
        const health = healthRegistry(this.inputs);
        this.health = health;
        for (const observe of this.waiting) observe(health);
        this.waiting = [];
        return health;
      },
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  private feed(observe: (h: HealthRegistry) => void): void {
    if (this.health) return observe(this.health);
    if (this.waiting.length < MAX_WAITING) this.waiting.push(observe);
    // A registry that cannot load fails the scrapes, which say why; observing goes on.
    this.registry().catch(() => undefined);
  }
}
