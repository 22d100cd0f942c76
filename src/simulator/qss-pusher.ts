import { createHmac } from 'node:crypto';
import type { Clock } from '../util/clock.js';
import { dropAnswer } from '../util/bounded-answer.js';
import { unit } from './random.js';
import type { SimInstance, SimParticipant } from './scenario-types.js';
import type { World } from './world.js';
import { zoomTime } from '../util/zoom-time.js';

/** Misbehaviour to add to the pushes, as Zoom (or an attacker) might. Shares are 0 to 1. */
export interface PushFaults {
  /** Events sent twice (a second delivery with a new timestamp, as Zoom retries). */
  duplicate?: number;
  /** Events sent again with the same timestamp and signature (a replay). */
  replay?: number;
  /** Extra copies with a wrong signature (a forgery; the real event still follows). */
  badSignature?: number;
  /** Shuffle each round's events. */
  outOfOrder?: boolean;
  /**
   * Events whose 200 "Zoom" takes as lost (as if it came after its 3 s): redelivered at +5,
   * +20 and +60 minutes after the first delivery, each signed anew, each answer lost again
   * with the same share (Zoom stops after the third retry or the first answer it gets).
   */
  retry?: number;
}

/** When Zoom retries an event it got no answer for, after the first delivery. */
export const ZOOM_RETRY_AFTER_MS = [5, 20, 60].map((m) => m * 60_000);

export interface PushOptions {
  url: string;
  secretToken: string;
  faults?: PushFaults;
  /** Sends per event before giving up on it for this round (it is tried again next round). */
  attempts?: number;
  /** Only these instances; all live ones when absent. */
  only?: (inst: SimInstance) => boolean;
  /** Only these participants (QSS may cover some of a meeting only); all when absent. */
  onlyParticipants?: (inst: SimInstance, p: SimParticipant) => boolean;
  /** The time the signatures carry (epoch ms): real time when the scenario runs faster. Default: the clock's. */
  stampNow?: () => number;
}

export interface PushStats {
  sent: number;
  delivered: number;
  failed: number;
  /** Redeliveries sent by the retry fault (Zoom's schedule). */
  retried: number;
  /** Answers by HTTP status (0: no answer). */
  statuses: Map<number, number>;
}

/** Signed as Zoom documents it, written apart from the receiver's check so the two can disagree. */
const sign = (secret: string, ts: string, body: string): string =>
  'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');

const STREAM_KEYS = (raw: Record<string, unknown>): string[] =>
  Object.keys(raw).filter((k) => k !== 'date_time' && k !== 'wifi_rssi' && k !== 'cpu_pressure_level');

/**
 * One `user_qos` entry of the Dashboard API in QSS's shape: a `qos` item per stream
 * (`{date_time, type, details}`), the Wi-Fi RSSI inside each stream's details, as in Zoom's
 * example payloads.
 */
export function qssQos(raw: Record<string, unknown>): Record<string, unknown>[] {
  const wifi = raw.wifi_rssi as Record<string, unknown> | undefined;
  return STREAM_KEYS(raw).map((type) => ({
    date_time: raw.date_time,
    type,
    details: { ...(raw[type] as object), ...(wifi && type !== 'cpu_usage' ? wifi : {}) },
  }));
}

/**
 * A QSS event as Zoom shapes it: `session.user_<what>` with `object.user` for Video SDK,
 * `<kind>.participant_<what>` with `object.participant` otherwise (`instance` adds fields of
 * the meeting object beside `uuid`).
 */
function envelope(
  inst: SimInstance,
  what: string,
  user: Record<string, unknown>,
  participant: Record<string, unknown>,
  eventTs: number,
  instance: Record<string, unknown> = {},
): Record<string, unknown> {
  const session = inst.kind === 'session';
  return {
    event: session ? `session.user_${what}` : `${inst.kind}.participant_${what}`,
    event_ts: eventTs,
    payload: {
      account_id: 'sim-account',
      object: session
        ? { session_id: inst.uuid, session_name: inst.topic, user }
        : { ...instance, uuid: inst.uuid, participant },
    },
  };
}

/** The QSS event body Zoom would push for one participant's samples. */
export function qssEvent(
  inst: SimInstance,
  p: SimParticipant,
  samples: Record<string, unknown>[],
  eventTs: number,
): Record<string, unknown> {
  const qos = samples.flatMap(qssQos);
  return envelope(
    inst,
    'qos',
    { id: p.userId, name: p.name, qos },
    { user_id: p.userId, participant_user_id: p.id, user_name: p.name, email: p.email, qos },
    eventTs,
  );
}

/**
 * The context event Zoom pushes for a join (`meeting.participant_data`, `webinar.participant_data`,
 * `session.user_data`), shaped as Zoom's examples: the join as `participant_id` (sessions: the
 * user's `id`), its `data` list of device, network and data center.
 */
export function qssDataEvent(inst: SimInstance, p: SimParticipant, eventTs: number): Record<string, unknown> {
  const data = [
    {
      device: p.device,
      location: p.location,
      network_type: p.networkType,
      data_center: p.dataCenter,
      connection_type: p.connectionType,
      version: p.version,
    },
  ];
  return envelope(
    inst,
    'data',
    { id: p.userId, name: p.name, data },
    { participant_id: p.userId, ...(p.id ? { participant_user_id: p.id } : {}), email: p.email, data },
    eventTs,
  );
}

/**
 * The leave event Zoom would push for a join that ended (`meeting.participant_left`,
 * `webinar.participant_left`, `session.user_left`): the join's `user_id`, the account `id`
 * (empty for guests) and `leave_time`.
 */
export function qssLeftEvent(
  inst: SimInstance,
  p: SimParticipant,
  leaveTime: number,
  eventTs: number,
): Record<string, unknown> {
  const leave_time = zoomTime(leaveTime);
  return envelope(
    inst,
    'left',
    { id: p.userId, name: p.name, leave_time },
    {
      user_id: p.userId,
      user_name: p.name,
      id: p.id,
      ...(p.id ? { participant_user_id: p.id } : {}),
      leave_time,
      email: p.email,
    },
    eventTs,
    { id: inst.id, topic: inst.topic },
  );
}

/**
 * Pushes the scenario's QoS as Zoom's QSS webhooks would: each round, for every live
 * instance, one event per present participant with the samples made since the last round
 * (the same samples the simulated API serves), signed with the app's secret token. Faults on
 * request: redeliveries, replays, forged signatures, out-of-order delivery.
 */
export class QssPusher {
  private readonly last = new Map<string, number>();
  private readonly leftSent = new Set<string>();
  private readonly dataSent = new Set<string>();
  private round = 0;
  /** Events the retry fault will send again: the body, its first delivery's time, retries made. */
  private readonly retries: { body: string; first: number; made: number }[] = [];
  readonly stats: PushStats = { sent: 0, delivered: 0, failed: 0, retried: 0, statuses: new Map() };

  constructor(
    private readonly world: World,
    private readonly clock: Clock,
    private readonly opts: PushOptions,
  ) {}

  private stampNow(): number {
    return this.opts.stampNow ? this.opts.stampNow() : this.clock.now();
  }

  /**
   * The events due now: samples in (last round, now] of everyone present, a context event for
   * each join seen for the first time, and a leave event for each join that ended.
   */
  due(now: number): string[] {
    const out: string[] = [];
    for (const inst of this.world.scenario.instances) {
      if (!this.world.isLive(inst, now) || (this.opts.only && !this.opts.only(inst))) continue;
      // Those who left in the QoS window too: their last minutes, then their leave.
      for (const p of this.world.inQosList(inst, now)) {
        if (this.opts.onlyParticipants && !this.opts.onlyParticipants(inst, p)) continue;
        const k = `${inst.uuid}\u0000${p.key}`;
        const from = this.last.get(k) ?? now - this.world.scenario.qosWindowMs;
        const samples = this.world
          .liveSamples(inst, p, now)
          .filter((s) => Date.parse(String(s.raw.date_time)) > from);
        if (samples.length && !this.dataSent.has(k)) {
          this.dataSent.add(k);
          out.push(JSON.stringify(qssDataEvent(inst, p, now)));
        }
        if (samples.length) {
          out.push(
            JSON.stringify(
              qssEvent(
                inst,
                p,
                samples.map((s) => s.raw),
                now,
              ),
            ),
          );
          this.last.set(k, now);
        }
        const left = this.world.leaveTime(inst, p, now);
        if (left === undefined || this.leftSent.has(k)) continue;
        this.leftSent.add(k);
        out.push(JSON.stringify(qssLeftEvent(inst, p, left, now)));
      }
    }
    return out;
  }

  /** One round: sends what is due, with the faults asked for; resolves when every answer is in. */
  async push(): Promise<void> {
    const now = this.clock.now();
    const round = this.round++;
    const f = this.opts.faults ?? {};
    const bodies = this.due(now);
    const sends: (() => Promise<void>)[] = this.retriesDue(now, round);
    bodies.forEach((body, i) => {
      const r = (what: string): number => unit('push', round, i, what);
      if (f.badSignature && r('forge') < f.badSignature)
        sends.push(() => this.send(body, 'forged').then(() => undefined));
      sends.push(async () => {
        const stamp = await this.deliver(body);
        if (stamp && f.replay && r('replay') < f.replay) await this.send(body, stamp);
        // A redelivery is a new request: Zoom signs it again with its own (later) timestamp.
        if (stamp && f.duplicate && r('dup') < f.duplicate) await this.deliver(body, 1);
        if (stamp && f.retry && r('retry') < f.retry) this.retries.push({ body, first: now, made: 0 });
      });
    });
    if (f.outOfOrder)
      sends.sort((a, b) => unit('order', round, sends.indexOf(a)) - unit('order', round, sends.indexOf(b)));
    await this.run(sends);
  }

  /**
   * Only the retry fault's redeliveries due now (after pushes stopped, Zoom still retries what
   * it sent before).
   */
  async pushRetries(): Promise<void> {
    await this.run(this.retriesDue(this.clock.now(), this.round++));
  }

  /** The redeliveries due at `now`, each kept for its next retry if its answer is "lost" again. */
  private retriesDue(now: number, round: number): (() => Promise<void>)[] {
    const share = this.opts.faults?.retry ?? 0;
    const due = this.retries.filter((r) => now >= r.first + ZOOM_RETRY_AFTER_MS[r.made]!);
    for (const r of due) this.retries.splice(this.retries.indexOf(r), 1);
    return due.map((r, i) => async () => {
      r.made++;
      this.stats.retried++;
      const stamp = await this.deliver(r.body);
      if (stamp && r.made < ZOOM_RETRY_AFTER_MS.length && unit('retry', round, i, 'again') < share)
        this.retries.push(r);
    });
  }

  /** Sends a few at a time, as Zoom's senders do; resolves when every answer is in. */
  private async run(sends: (() => Promise<void>)[]): Promise<void> {
    const queue = [...sends];
    await Promise.all(
      Array.from({ length: Math.min(8, queue.length) }, async () => {
        for (let s = queue.shift(); s; s = queue.shift()) await s();
      }),
    );
  }

  /** Sends until answered 2xx or out of attempts; the timestamp used, or undefined. */
  private async deliver(body: string, laterSec = 0): Promise<string | undefined> {
    for (let attempt = 0; attempt < (this.opts.attempts ?? 3); attempt++) {
      const stamp = String(Math.floor(this.stampNow() / 1000) + laterSec + attempt);
      const status = await this.send(body, stamp);
      if (status >= 200 && status < 300) {
        this.stats.delivered++;
        return stamp;
      }
    }
    this.stats.failed++;
    return undefined;
  }

  /** One request; `stamp` 'forged' signs with a wrong secret. */
  private async send(body: string, stamp: string): Promise<number> {
    const forged = stamp === 'forged';
    const ts = forged ? String(Math.floor(this.stampNow() / 1000)) : stamp;
    const signature = sign(forged ? 'not-the-secret' : this.opts.secretToken, ts, body);
    this.stats.sent++;
    let status: number;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-zm-request-timestamp': ts,
          'x-zm-signature': signature,
          'user-agent': 'Zoom Marketplace/1.0a',
        },
        body,
        // A redirect is a failed delivery, not followed: it would carry the signature to
        // wherever the receiver points.
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await dropAnswer(res);
    } catch {
      status = 0;
    }
    this.stats.statuses.set(status, (this.stats.statuses.get(status) ?? 0) + 1);
    return status;
  }
}
