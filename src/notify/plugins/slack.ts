import { AnswerTooLarge, boundedFetch } from '../../util/bounded-answer.js';
import { httpUrlSchema, NOTIFIER_URL_MESSAGE } from '../../util/http-url.js';
import { durationMs, formatDuration } from '../../util/duration.js';
import { hiddenFromProcess } from '../../util/log-secrets.js';
import type { Block, ErrorCode, KnownBlock, WebClient } from '@slack/web-api';
import type { Alert } from '../../evaluate/alert.js';
import { NotifyError, permanent, retryable } from './errors.js';
import { escapeSlack } from './escape.js';
import { episodeSpan, headline, howBad, since, textLines, where, who } from './format.js';
import type { Notifier, NotifierContext, NotifierPlugin } from './notifier.js';
import { isEpisode, title, type Notification } from './notification.js';
import { abortable } from './abortable.js';
import { slackLogger } from './slack-logger.js';
import { DELIVERY_DEFAULTS } from './notifier.js';

export interface SlackSettings {
  /** Bot token (xoxb-...). */
  token: string;
  /** Channel id or name. */
  channel: string;
  /** The Web API's base URL; tests point it at a local fake. */
  api_url?: string;
}

const COLOR = { critical: '#d32f2f', warning: '#f9a825', info: '#1976d2', resolved: '#2e7d32' } as const;
const EMOJI = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
} as const;

/** Slack errors that say the token or its rights are wrong. */
const AUTH = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
]);
/**
 * Slack's `error` as a log and the state file may show it: Slack's codes are short snake_case
 * words (`channel_not_found`); anything else is shown with the process's secrets hidden, then
 * cut at 100 characters, on one line, as JSON writes it (hT44b R1: a fake Slack's 1.6 MB error
 * text went whole into every log line and notify.json's lastError at each retry).
 */
function slackErrorCode(error: unknown): string {
  if (typeof error !== 'string' || !error) return 'unknown_error';
  if (/^[a-z0-9_]{1,100}$/.test(error)) return error;
  // Hiding a text of megabytes made of escapes costs seconds at each retry, and hiding only a
  // part of it is not safe: hiding shrinks the text, so the 100 characters shown of a hidden
  // part may come from its end, where a secret cut in two is no longer known (rA45 F1: 30
  // characters of the bot token). Past the bound, no text of the error is shown, only its length.
  if (error.length > HIDDEN_SLACK_ERROR) return `a ${error.length}-character error, not shown`;
  // Hidden before it is cut: a secret across the cut would show its first part.
  const shown = hiddenFromProcess(error);
  return shown.length > 100
    ? `${JSON.stringify(`${shown.slice(0, 100)}...`)} (${error.length} characters)`
    : JSON.stringify(shown);
}

/** The longest Slack error that is no code whose text is shown (hidden, then cut at 100 characters). */
const HIDDEN_SLACK_ERROR = 256 * 1024;

/** Slack errors that will not go away by trying again. */
const PERMANENT = new Set([
  ...AUTH,
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'msg_too_long',
  'no_text',
  'invalid_blocks',
  'invalid_arguments',
  'message_not_found',
  'cant_update_message',
]);

// The Web API client is imported when a Slack notifier is first built (not at every start of
// every command); its error codes are plain strings, checked against its types here.
const PLATFORM_ERROR: `${ErrorCode.PlatformError}` = 'slack_webapi_platform_error';
const RATE_LIMITED_ERROR: `${ErrorCode.RateLimitedError}` = 'slack_webapi_rate_limited_error';
const HTTP_ERROR: `${ErrorCode.HTTPError}` = 'slack_webapi_http_error';

/**
 * Slack took the request and did not answer within the call's time (the client's own timer or
 * the send's deadline, both delivery.timeout): a timeout, not "cannot reach Slack (23)", 23
 * being the DOMException code of the TimeoutError the client wrapped (hT45 L3).
 */
const slackTimeout = (receiver: string, ms: number): NotifyError =>
  retryable(
    'NOTIFY_TIMEOUT',
    `${receiver}: Slack did not answer within ${formatDuration(ms)} (delivery.timeout)`,
  );

function classify(receiver: string, err: unknown, timeoutMs: number): NotifyError {
  // Cut while the client read the answer (it throws what the body threw), or, declared too
  // large by its content-length, before (the client wraps what fetch threw as `original`).
  const tooLarge = err instanceof AnswerTooLarge ? err : (err as { original?: unknown }).original;
  if (tooLarge instanceof AnswerTooLarge)
    return retryable('NOTIFY_SERVER_ERROR', `${receiver}: ${tooLarge.message}`, undefined, tooLarge);
  const e = err as {
    code?: string;
    data?: { error?: string };
    retryAfter?: number;
    statusCode?: number;
    original?: { code?: string; name?: string; cause?: { message?: string } };
  };
  switch (e.code) {
    case PLATFORM_ERROR: {
      const what = slackErrorCode(e.data?.error);
      if (PERMANENT.has(what))
        return permanent(
          AUTH.has(what) ? 'NOTIFY_AUTH' : 'NOTIFY_REJECTED',
          `${receiver}: Slack refused: ${what}`,
        );
      if (what === 'ratelimited') return retryable('NOTIFY_RATE_LIMITED', `${receiver}: Slack rate limited`);
      return retryable('NOTIFY_SERVER_ERROR', `${receiver}: Slack error: ${what}`);
    }
    case RATE_LIMITED_ERROR:
      return retryable('NOTIFY_RATE_LIMITED', `${receiver}: Slack rate limited`, (e.retryAfter ?? 1) * 1000);
    case HTTP_ERROR:
      return (e.statusCode ?? 500) >= 500 || e.statusCode === 429
        ? retryable('NOTIFY_SERVER_ERROR', `${receiver}: Slack answered HTTP ${e.statusCode ?? '?'}`)
        : permanent('NOTIFY_REJECTED', `${receiver}: Slack answered HTTP ${e.statusCode ?? '?'}`);
    default:
      if (e.original?.name === 'TimeoutError') return slackTimeout(receiver, timeoutMs);
      // The client calls fetch with redirect: 'error', so a redirect is not followed; it is
      // api_url to change, not an outage to wait out (it was retried as "cannot reach Slack").
      if (e.original?.cause?.message === 'unexpected redirect')
        return permanent(
          'NOTIFY_REJECTED',
          `${receiver}: Slack's API answered with a redirect; redirects are not followed: check api_url`,
        );
      return retryable(
        'NOTIFY_NETWORK',
        `${receiver}: cannot reach Slack (${e.original?.code ?? e.code ?? 'network error'})`,
      );
  }
}

/** Firing, resolved, or fired and resolved before anyone was told (an episode: both in one). */
type Shown = 'firing' | 'resolved' | 'episode';

function alertFields(a: Alert, now: number, shown: Shown): string[] {
  // How bad (format.ts' howBad): firing, the value (and the worst so far); else the worst and the last sample.
  const value = `*Value*\n${escapeSlack(howBad(a))} (${escapeSlack(a.thresholdText)})`;
  const whoField = `*Who*\n${escapeSlack(who(a))}`;
  const whereField = `*Where*\n${escapeSlack(where(a) || '–')}`;
  if (shown === 'resolved')
    return [
      whoField,
      value,
      `*Fired*\n${escapeSlack(since(a, now))}`,
      `*Why it ended*\n${a.reason ?? 'recovered'}`,
    ];
  if (shown === 'episode')
    return [value, whoField, whereField, `*Fired and resolved*\n${escapeSlack(episodeSpan(a))}`];
  return [value, whoField, whereField, `*Since*\n${escapeSlack(since(a, now))}`];
}

function alertBlocks(a: Alert, now: number, shown: Shown): KnownBlock[] {
  const mark = {
    firing: EMOJI[a.severity],
    resolved: ':white_check_mark:',
    episode: `${EMOJI[a.severity]} Fired and resolved:`,
  }[shown];
  return [
    { type: 'section', text: { type: 'mrkdwn', text: `${mark} *${escapeSlack(headline(a))}*` } },
    {
      type: 'section',
      fields: alertFields(a, now, shown).map((text) => ({ type: 'mrkdwn' as const, text })),
    },
  ];
}

/** The whole message for a group: what fires now, and what resolved in this update. */
function message(
  n: Notification,
  now: number,
): { text: string; attachments: { color: string; blocks: (KnownBlock | Block)[] }[] } {
  // What fires, or fired unseen (an episode), colours the message; resolves alone are green.
  const news = [...n.firing, ...n.resolved.filter((a) => isEpisode(n, a))];
  const worst = news.some((a) => a.severity === 'critical')
    ? 'critical'
    : news.some((a) => a.severity === 'warning')
      ? 'warning'
      : news.length
        ? 'info'
        : 'resolved';
  const blocks: KnownBlock[] = [];
  if (n.kind !== 'alert')
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: escapeSlack(textLines(n, now).join('\n')) },
    });
  for (const a of n.firing.slice(0, 20)) blocks.push(...alertBlocks(a, now, 'firing'));
  for (const a of n.resolved.slice(0, 20))
    blocks.push(...alertBlocks(a, now, isEpisode(n, a) ? 'episode' : 'resolved'));
  if (n.firing.length + n.resolved.length > 40)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `and ${n.firing.length + n.resolved.length - 40} more` }],
    });
  return { text: escapeSlack(title(n)), attachments: [{ color: COLOR[worst], blocks }] };
}

/**
 * The most bytes of one Slack answer read: chat.postMessage echoes the message (40,000
 * characters of text and 50 blocks at most, some hundred KB), the others are smaller.
 */
const MAX_SLACK_ANSWER_BYTES = 4 * 1024 * 1024;

/** A Web API call through the notifier's one client; its failure classified for the outbox. */
type SlackCall = <T>(work: (client: WebClient) => Promise<T>, signal: AbortSignal) => Promise<T>;

/** The notifier's calls: one client, made at the first call (@slack/web-api loads then). */
function slackCalls(o: SlackSettings, ctx: NotifierContext): SlackCall {
  // Each call's own bound is delivery.timeout, as the send's deadline: the client ends the
  // connection when it is up (its fixed 15 s cut calls short of a longer delivery.timeout).
  const timeoutMs = ctx.timeoutMs ?? durationMs(DELIVERY_DEFAULTS.timeout);
  let webClient: Promise<WebClient> | undefined;
  const slack = (): Promise<WebClient> =>
    (webClient ??= import('@slack/web-api').then(
      ({ WebClient, LogLevel }) =>
        new WebClient(o.token, {
          ...(o.api_url ? { slackApiUrl: o.api_url.endsWith('/') ? o.api_url : `${o.api_url}/` } : {}),
          // The dispatcher owns retry: the client must not retry or wait on rate limits itself.
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          timeout: timeoutMs,
          // The client reads each answer whole: a Slack (or whatever api_url names) that kept
          // sending would be held in memory to the end.
          fetch: boundedFetch('Slack', MAX_SLACK_ANSWER_BYTES),
          // Its lines through the notifier's log (secrets hidden, escaped, JSON), not its own stderr.
          logger: slackLogger(ctx.log, LogLevel.WARN),
        }),
    ));
  return async (work, signal) => {
    try {
      return await abortable(
        slack().then((client) => work(client)),
        signal,
      );
    } catch (err) {
      // The deadline ran out (not a stop): said as the client's own timer says it.
      if (signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError')
        throw slackTimeout(ctx.name, timeoutMs);
      if (signal.aborted) throw err;
      throw classify(ctx.name, err, timeoutMs);
    }
  };
}

/**
 * What the notifier remembers of a group's message (or a report's): where it is, and which
 * notification's steps Slack has answered OK (`id`, `step`). Each step is written (fsynced) as
 * soon as Slack answers it, so a retry or a start after a kill resumes after the last one.
 */
interface Posted {
  ts: string;
  channel: string;
  /** The notification whose steps are recorded. */
  id?: string;
  step?: 'posted' | 'updated' | 'replied' | 'uploaded';
  /** All its alerts resolved: the group's next notification starts a new message. */
  closed?: boolean;
}

const STEPS: readonly unknown[] = ['posted', 'updated', 'replied', 'uploaded', undefined];

/** Whether a parsed memory value is a Posted: a ts and a channel (non-empty strings), the rest as typed. */
function isPosted(v: unknown): v is Posted {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p = v as Record<string, unknown>;
  return (
    typeof p.ts === 'string' &&
    p.ts !== '' &&
    typeof p.channel === 'string' &&
    p.channel !== '' &&
    (p.id === undefined || typeof p.id === 'string') &&
    STEPS.includes(p.step) &&
    (p.closed === undefined || typeof p.closed === 'boolean')
  );
}

/**
 * The record under `key`, or none. One that is not a Posted (not JSON, or JSON of another shape:
 * `{}`, `5`, from a hand-edited or damaged state directory) is not ours to read: as if nothing was
 * posted (a new message, never an update or a reply with no ts or channel). It is logged and
 * forgotten, so once.
 */
function recalled(ctx: NotifierContext, key: string): Posted | undefined {
  const saved = ctx.memory.get(key);
  if (saved === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(saved);
  } catch {
    value = undefined;
  }
  if (isPosted(value)) return value;
  ctx.log.warn(
    { notifier: ctx.name, key: key.slice(0, 200) },
    'a Slack message record in the state directory is not one qoswatch wrote (no ts and channel): it is forgotten, and the next notification posts a new message',
  );
  ctx.memory.delete(key);
  return undefined;
}

/**
 * A report after a call: its headline as a message, then the report uploaded as a file in
 * that message's thread (files.getUploadURLExternal, the upload, files.completeUploadExternal).
 * Each step is remembered until the notification leaves the outbox, so a retry repeats neither.
 */
async function sendReport(
  call: SlackCall,
  o: SlackSettings,
  ctx: NotifierContext,
  r: NonNullable<Notification['report']>,
  signal: AbortSignal,
  nextCall: () => void,
): Promise<void> {
  const key = `report:${r.id}`;
  let posted = recalled(ctx, key);
  if (!posted) {
    const res = await call(
      (client) => client.chat.postMessage({ channel: o.channel, text: escapeSlack(r.headline) }),
      signal,
    );
    posted = { ts: res.ts ?? '', channel: res.channel ?? o.channel, step: 'posted' };
    ctx.memory.set(key, JSON.stringify(posted));
    nextCall();
  }
  const file = r.body?.attachment;
  if (!file || posted.step === 'uploaded') return;
  const { ts, channel } = posted;
  await call(
    (client) =>
      client.filesUploadV2({
        channel_id: channel,
        thread_ts: ts,
        file: Buffer.from(file.content, 'utf8'),
        filename: file.filename,
        title: r.headline,
      }),
    signal,
  );
  ctx.memory.set(key, JSON.stringify({ ...posted, step: 'uploaded' }));
}

/**
 * A group's notification: its first one posts a message (remembered for the group); later ones
 * update that message in place (one call) and say what changed in its thread (another call).
 * Each call Slack answered OK is recorded before the next, and a retry skips it.
 */
async function sendGroup(
  call: SlackCall,
  o: SlackSettings,
  ctx: NotifierContext,
  n: Notification,
  signal: AbortSignal,
  nextCall: () => void,
): Promise<void> {
  const now = ctx.clock.now();
  const msg = message(n, now);
  if (n.kind !== 'alert') {
    await call((client) => client.chat.postMessage({ channel: o.channel, ...msg }), signal);
    return;
  }
  const key = `thread:${n.groupKey}`;
  const record = (p: Posted): void => ctx.memory.set(key, JSON.stringify(p));
  const saved = recalled(ctx, key);
  const done = saved?.id === n.id ? saved.step : undefined;
  if (done === 'posted' || done === 'replied') return;
  if (!saved || (saved.closed && !done)) {
    const res = await call((client) => client.chat.postMessage({ channel: o.channel, ...msg }), signal);
    if (res.ts && res.channel)
      record({ ts: res.ts, channel: res.channel, id: n.id, step: 'posted', closed: !n.firing.length });
    return;
  }
  const { ts, channel } = saved;
  // Update the original message to the group's state now, then say what changed in its thread.
  if (done !== 'updated') {
    await call((client) => client.chat.update({ channel, ts, ...msg }), signal);
    record({ ts, channel, id: n.id, step: 'updated' });
    nextCall();
  }
  await call(
    (client) =>
      client.chat.postMessage({
        channel,
        thread_ts: ts,
        text: escapeSlack(textLines(n, now).join('\n')),
      }),
    signal,
  );
  // All resolved: the next incident starts a new message (the record goes once this one is settled).
  record({ ts, channel, id: n.id, step: 'replied', closed: !n.firing.length });
}

/** A notification out of the outbox: its report's record goes, and a closed thread's. */
function settle(ctx: NotifierContext, n: Notification): void {
  if (n.kind === 'report' && n.report) {
    if (ctx.memory.get(`report:${n.report.id}`) !== undefined) ctx.memory.delete(`report:${n.report.id}`);
    return;
  }
  const key = `thread:${n.groupKey}`;
  const saved = recalled(ctx, key);
  if (saved?.closed && saved.id === n.id) ctx.memory.delete(key);
}

/**
 * Block Kit messages with the severity's colour. A group's first notification posts a message;
 * later ones update it in place and reply in its thread, so a meeting-level or shared-cause
 * incident keeps one thread. The message ids are kept in the state directory.
 */
export const slackNotifier: NotifierPlugin<SlackSettings> = {
  type: 'slack',
  description: 'Slack through a bot token (@slack/web-api): Block Kit, updated in place, threaded.',
  properties: {
    token: { type: 'string', minLength: 1 },
    channel: { type: 'string', minLength: 1 },
    api_url: httpUrlSchema(NOTIFIER_URL_MESSAGE),
  },
  required: ['token', 'channel'],
  secrets: ['token'],
  create(o, ctx): Notifier {
    const call = slackCalls(o, ctx);
    return {
      name: ctx.name,
      type: 'slack',
      send: (n, signal, nextCall = () => undefined) =>
        n.kind === 'report' && n.report
          ? sendReport(call, o, ctx, n.report, signal, nextCall)
          : sendGroup(call, o, ctx, n, signal, nextCall),
      settled: (n) => settle(ctx, n),
    };
  },
};
