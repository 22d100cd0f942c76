import type { Logger } from 'pino';
import { plural } from '../../util/words.js';
import { title, type Notification } from '../plugins/notification.js';

/** A line of one receiver's drops for one reason is logged at most this often; drops in between are said with the next. */
const DROPS_QUIET_MS = 15 * 60_000;

/** Alerts (or reports) of dropped notifications a line names; the rest are counted. */
const NAMED = 5;

/** What a dropped notification told, as an operator knows it: each alert's state and summary, else its title. */
function toldBy(n: Notification): string[] {
  if (n.kind !== 'alert') return [title(n)];
  const told = (a: Notification['firing'][number]): string =>
    `[${a.state}] ${a.annotations.summary ?? a.rule}`;
  return [...n.firing.map(told), ...n.resolved.map(told)];
}

interface Drops {
  receiver: string;
  code: string;
  /** The first drop's reason, as its notifier said it. */
  message: string;
  count: number;
  /** When the first of them was dropped. */
  since: number;
  /** The first NAMED alerts they told (`[firing] Bob has 450 ms audio latency in "Weekly sync"`). */
  named: string[];
  /** How many alerts (or reports) they told in all. */
  told: number;
  /** Held back by DROPS_QUIET_MS at a lane run's end: said by sayDue once that has passed. */
  held: boolean;
}

/**
 * The notifications given up (refused for good, or older than give_up_after), per receiver and
 * reason, said in one line each with how many and which (outside tester: 5 expired in one go
 * logged "hookA: notification dropped" once, with no count). A line at a lane run's end, then at
 * most one every DROPS_QUIET_MS while drops go on; those in between are not lost but kept and
 * said with the next line, or once the quiet time has passed (review, stop 38: they were said
 * nowhere but in qoswatch_notifications_failed_total, and no line ever said which alert).
 */
export class DropTally {
  /** By receiver and reason (`receiver\0reason`). */
  private readonly pending = new Map<string, Drops>();
  private readonly saidAt = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  add(n: Notification, reason: string, code: string, message: string, now: number): void {
    const key = `${n.receiver}\u0000${reason}`;
    let d = this.pending.get(key);
    if (!d)
      this.pending.set(
        key,
        (d = { receiver: n.receiver, code, message, count: 0, since: now, named: [], told: 0, held: false }),
      );
    d.count++;
    const told = toldBy(n);
    d.told += told.length;
    d.named.push(...told.slice(0, NAMED - d.named.length));
  }

  /** At the end of the receiver's lane run: says its drops, but those of a reason said within DROPS_QUIET_MS (held). */
  flush(receiver: string, now: number): void {
    for (const [key, d] of this.pending)
      if (d.receiver === receiver) {
        const said = this.saidAt.get(key);
        if (said === undefined || now - said >= DROPS_QUIET_MS) this.say(key, d, now);
        else d.held = true;
      }
  }

  /** The receiver took a notification: its run of drops is over, said now, and its next drop is said at once. */
  delivered(receiver: string, now: number): void {
    for (const [key, d] of this.pending) if (d.receiver === receiver) this.say(key, d, now);
    for (const key of this.saidAt.keys()) if (key.startsWith(`${receiver}\u0000`)) this.saidAt.delete(key);
  }

  /** Says the held drops whose quiet time has passed, but of receivers `busy` says are sending (their run's end will). */
  sayDue(now: number, busy: (receiver: string) => boolean): void {
    for (const [key, d] of this.pending)
      if (d.held && !busy(d.receiver) && now - (this.saidAt.get(key) ?? -Infinity) >= DROPS_QUIET_MS)
        this.say(key, d, now);
  }

  /** At shutdown: says every drop still held (review, stop 38: those of the last 15 minutes were said nowhere). */
  sayAll(now: number): void {
    for (const [key, d] of this.pending) this.say(key, d, now);
  }

  /** When held drops can be said, but those of receivers `busy` says are sending. */
  nextDueAt(busy: (receiver: string) => boolean): number[] {
    const out: number[] = [];
    for (const [key, d] of this.pending)
      if (d.held && !busy(d.receiver)) out.push((this.saidAt.get(key) ?? -Infinity) + DROPS_QUIET_MS);
    return out;
  }

  private say(key: string, d: Drops, now: number): void {
    this.pending.delete(key);
    this.saidAt.set(key, now);
    const more = d.told - d.named.length;
    const which = d.named.join(' | ') + (more > 0 ? ` | and ${more} more` : '');
    const many = d.count === 1 ? 'notification' : plural(d.count, 'notification');
    const since = d.held ? ` since ${new Date(d.since).toISOString()}` : '';
    this.log.warn(
      {
        receiver: d.receiver,
        code: d.code,
        dropped: d.count,
        alerts: d.named,
        since: new Date(d.since).toISOString(),
      },
      `${d.receiver}: ${many} dropped${since}: ${d.message}. What ${d.count === 1 ? 'it' : 'they'} told: ${which}`,
    );
  }
}
