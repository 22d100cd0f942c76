import { hideValues } from '../../util/hide-values.js';
import { secretForms } from '../../util/log-secrets.js';
import { REDACTED } from '../../util/redact-pairs.js';
import { NotifyError, permanent } from './errors.js';
import type { NotifierMemory, SendOutcome } from './notifier.js';
import type { RefusalsSaid } from './alertmanager-refusals.js';

/** An alert as Alertmanager's POST /api/v2/alerts takes it. */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/**
 * A notification posted alert by alert after a 400 for its batch: which alerts (by their place in
 * it) Alertmanager took, and which it refused, with its reason. Kept in the notifier's memory
 * (saved with the outbox) after each post until the notification leaves the outbox, so a retry,
 * or a start after a kill, posts only the others.
 */
interface Split {
  taken: number[];
  refused: [number, string][];
}

/** What postAlerts needs besides the alerts: how to post, where to log, what to keep. */
export interface PostContext {
  name: string;
  post: (batch: readonly AmAlert[]) => Promise<void>;
  warn: (msg: string) => void;
  memory: NotifierMemory;
  /** The memory key of this notification's split. */
  key: string;
  /** A post went through: the next one gets the whole delivery.timeout again. */
  nextCall: () => void;
  /** Values that must never be shown (the configured headers'), should an answer echo them. */
  secrets: readonly string[];
  /** The refusals warned about so far: each alert's is warned about once (RefusalsSaid). */
  said: RefusalsSaid;
  /** The time of the send: an alert whose endsAt is not after it is posted resolved. */
  now: number;
}

/** The memory key of notification `id`'s split. */
export const splitKey = (id: string): string => `split:${id}`;

/** A 400: Alertmanager refused (some of) what was posted as invalid. */
const badRequest = (err: unknown): err is NotifyError =>
  err instanceof NotifyError && err.refusal?.status === 400;

/** Control characters (a newline would split a log line) and line separators made spaces. */
const oneLine = (text: string): string => text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');

/**
 * A configured value, and each long word of it (the token of `Bearer <token>`), as hidden: as it
 * is and in the forms the log hides (util/log-secrets.ts secretForms: base64, form-encoded...),
 * before reasonOf cuts the text, which would leave a form cut short that the log no longer knows.
 */
function hide(text: string, secrets: readonly string[]): string {
  const words = secrets.flatMap((s) => [s, ...s.split(/\s+/).filter((w) => w.length >= 8)]);
  return hideValues(text, words, REDACTED, 1, secretForms);
}

/**
 * What Alertmanager said (a JSON string, or { message }), on one line, 300 characters at most,
 * a configured header's value never in it.
 */
export function reasonOf(err: NotifyError, secrets: readonly string[]): string {
  const answer = err.refusal?.answer ?? '';
  let said: unknown = answer;
  try {
    said = JSON.parse(answer);
  } catch {
    // not JSON: the text as it is
  }
  const message = (said as { message?: unknown } | null)?.message;
  const text = typeof said === 'string' ? said : typeof message === 'string' ? message : answer;
  const line = oneLine(hide(text, secrets)).trim();
  const shown = line || `HTTP ${err.refusal?.status}`;
  return shown.length > 300 ? `${shown.slice(0, 300)}...` : shown;
}

/** A refusal as it is thrown: the batch's error, its message saying Alertmanager's reason. */
function refusedWith(err: NotifyError, message: string): NotifyError {
  const e = permanent('NOTIFY_REJECTED', message);
  if (err.refusal) e.refusal = err.refusal;
  return e;
}

function recall(memory: NotifierMemory, key: string): Split | undefined {
  const saved = memory.get(key);
  try {
    return saved === undefined ? undefined : (JSON.parse(saved) as Split);
  } catch {
    return undefined; // not ours to read: as if nothing was posted
  }
}

/** The labels an alert is named by in a log line, when it has them: where it is, and who. */
const PLACE = ['instance', 'participant'];
/** Labels that never tell two alerts of one rule apart. */
const SAME = new Set(['alertname', 'severity', 'scope', 'kind', 'qoswatch', ...PLACE]);

/**
 * An alert as a log line names it: its rule, instance and participant (the `participant` label,
 * the key as shown, never a name, e-mail or IP), and any other label that tells it apart from an
 * alert of the same rule, instance and participant in `all` (a shared cause's group, a recurring
 * meeting's `instance_uuid`).
 */
function described(a: AmAlert, all: readonly AmAlert[]): string {
  const { labels } = a;
  const alike = all.filter(
    (b) =>
      b !== a && b.labels.alertname === labels.alertname && PLACE.every((k) => b.labels[k] === labels[k]),
  );
  const apart = Object.keys(labels)
    .filter((k) => !SAME.has(k) && alike.some((b) => b.labels[k] !== labels[k]))
    .sort();
  const shown = [...PLACE, ...apart].filter((k) => labels[k] !== undefined).map((k) => `${k} ${labels[k]}`);
  return oneLine(`${labels.alertname ?? '?'} (${shown.join(', ') || 'no labels'})`);
}

/**
 * Posts a notification's alerts in one request. Alertmanager v2 stores a batch's valid alerts and
 * answers 400 for the rest (a proxy in front of one may refuse the whole batch): on a 400 for more
 * than one alert, each is posted alone, so one bad alert cannot take the valid ones down with it,
 * and each post's outcome is kept (Split) so a retry posts only those neither taken nor refused.
 * Those refused alone are logged with Alertmanager's reason (once an alert and reason: c.said),
 * dropped and returned (each counted as a failed attempt, at each post); the notification is delivered when one was taken. A lone alert refused, or
 * every alert of a batch, is a permanent failure that says the reason; any other failure is thrown
 * for the dispatcher to retry.
 */
export async function postAlerts(
  alerts: readonly AmAlert[],
  c: PostContext,
): Promise<SendOutcome | undefined> {
  let split = recall(c.memory, c.key);
  if (!split) {
    try {
      await c.post(alerts);
      for (const a of alerts) c.said.forget(a.labels);
      return undefined;
    } catch (err) {
      if (!badRequest(err)) throw err;
      if (alerts.length < 2) throw refusedWith(err, `${err.message}: ${reasonOf(err, c.secrets)}`);
      split = { taken: [], refused: [] };
    }
  }
  const done = new Set([...split.taken, ...split.refused.map(([i]) => i)]);
  for (const [i, alert] of alerts.entries()) {
    if (done.has(i)) continue;
    try {
      await c.post([alert]);
      split.taken.push(i);
      c.said.forget(alert.labels);
    } catch (e) {
      if (!badRequest(e)) throw e;
      split.refused.push([i, reasonOf(e, c.secrets)]);
    }
    c.memory.set(c.key, JSON.stringify(split));
    c.nextCall();
  }
  return outcome(alerts, split, c);
}

/** The alerts of the notification Alertmanager took, after one was refused. */
const others = (n: number): string =>
  n === 1 ? "the notification's other alert was taken" : `the notification's other ${n} alerts were taken`;

/** The split's end: every alert refused is thrown; otherwise the refused ones are logged and returned. */
function outcome(alerts: readonly AmAlert[], split: Split, c: PostContext): SendOutcome {
  const { refused } = split;
  if (!split.taken.length) {
    c.memory.delete(c.key); // dropped: nothing to resume
    throw permanent(
      'NOTIFY_REJECTED',
      `${c.name}: rejected (HTTP 400): Alertmanager refused each of the ${alerts.length} alerts; the first, ${described(alerts[refused[0]![0]]!, alerts)}: ${refused[0]![1]}`,
    );
  }
  for (const [i, reason] of refused) {
    const { labels, endsAt } = alerts[i]!;
    if (c.said.fresh(labels, reason))
      c.warn(
        `${c.name}: Alertmanager refused the alert ${described(alerts[i]!, alerts)}: ${reason}; ` +
          `dropped, while ${others(alerts.length - refused.length)}`,
      );
    if (Date.parse(endsAt) <= c.now) c.said.forget(labels); // posted resolved: a new firing is news
  }
  return { refused: refused.map(() => 'NOTIFY_REJECTED') };
}
