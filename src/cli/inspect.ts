import { loadRules } from '../evaluate/load-rules.js';
import { inspectFromZoom } from '../report/inspect.js';
import { inspectTable, instancesTable } from '../report/inspect-format.js';
import {
  inspectJson,
  parseInspectJson,
  type InspectParticipant,
  type InspectView,
} from '../report/inspect-view.js';
import {
  AnswerTooLarge,
  dropAnswer,
  isRedirect,
  readAtMost,
  redirectTarget,
} from '../util/bounded-answer.js';
import { systemClock } from '../util/clock.js';
import { intOption, parse, UsageError } from './args.js';
import { commandLogger, instanceId, kindOption, requireConfig } from './common.js';
import { reportClient } from './report-client.js';

export const inspectHelp = `qoswatch inspect --config FILE [options] <meeting|webinar|session id or UUID> [participant]
qoswatch inspect --daemon URL [options] [<id or UUID> [participant]]

Drill-down during a call. With a participant (the join's participant id, Zoom's user_id; or
a name or e-mail of one participant in the call): that participant's recent samples from
Zoom's single-participant QoS endpoint, one row each. Without: every participant's newest
sample, worst first. Values over a rule's threshold are marked *, and under them the rules of
the configuration that see them now: pending (how much of its 'for' has run) or firing.

Zoom (--config): 2 API calls for a participant (4 when a name must be looked up), 1 + one a
10 participants + one a 300 for the whole instance; counted in the daemon's daily budget
(state.dir), at a quarter of the per-second rate, as qoswatch report. The rules see only the
minutes Zoom returns.
A running daemon (--daemon URL, its metrics.listen): no API call; the daemon's newest sample
of each participant and its own alerts. Without an id, the instances it watches. Basic auth
from QOSWATCH_API_USER and QOSWATCH_API_PASSWORD. An answer is read to 32 MiB at most, within
15 s; a redirect is not followed (it is said where it points).

  --kind meeting|webinar|session   what the id names (default meeting)
  --format table|json              (default table)
  --daemon URL                     read a running daemon's /api/v1/instances instead of Zoom
  --reserve N                      calls of today's budget to leave for live polling
                                   (default: a tenth of qoswatch's daily share)
`;

const FORMATS = new Set<string>(['table', 'json']);

/** Up to ten participant ids of a view, for an error that asks for one. */
const someIds = (view: InspectView): string =>
  view.participants
    .slice(0, 10)
    .map((p) => p.key)
    .join(', ');

/**
 * The one participant a key, name or e-mail names in a daemon's view; an error when none or
 * several. The daemon shows no name or e-mail without its basic auth or the identity opt-in: a
 * name then cannot match, and the error says so rather than "no participant".
 */
function pick(view: InspectView, who: string): InspectParticipant {
  const want = who.trim().toLowerCase();
  const byKey = view.participants.find((p) => p.key === who);
  if (byKey) return byKey;
  const found = view.participants.filter((p) => [p.name, p.email].some((v) => v && v.toLowerCase() === want));
  if (found.length === 1) return found[0]!;
  if (!found.length && view.participants.length && view.participants.every((p) => !p.name && !p.email))
    throw new Error(
      `the daemon shows no participant names or e-mails (it withholds them when its API has no basic auth and metrics.participant_identity_labels is off), so ${JSON.stringify(who)} cannot be matched by name: give a participant id instead (${view.participants.length} have a sample: ${someIds(view)})`,
    );
  if (!found.length)
    throw new Error(
      view.participants.length
        ? `no participant ${JSON.stringify(who)} has a sample in this instance (${view.participants.length} have; give one of their ids: ${someIds(view)})`
        : `no participant has a sample in this instance yet, so ${JSON.stringify(who)} cannot be found: try again after its next poll`,
    );
  throw new Error(
    `${found.length} participants match ${JSON.stringify(who)}: give one of their ids: ${found.map((p) => p.key).join(', ')}`,
  );
}

const unreachable = (url: URL, err: unknown): Error =>
  new Error(
    `cannot reach the daemon at ${url.origin}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
    { cause: err },
  );

/**
 * GET a path of a running daemon's API, with basic auth from the environment: its answer read
 * to MAX_ANSWER_BYTES at most, a redirect not followed, 15 s in all.
 */
async function daemonGet(base: string, path: string): Promise<unknown> {
  let url: URL;
  try {
    url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new UsageError(`--daemon takes the daemon's URL (http://host:9781), not ${JSON.stringify(base)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--daemon takes an http:// or https:// URL, not ${JSON.stringify(base)}`);
  const user = process.env.QOSWATCH_API_USER;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (user)
    headers.authorization = `Basic ${Buffer.from(`${user}:${process.env.QOSWATCH_API_PASSWORD ?? ''}`).toString('base64')}`;
  let res: Response;
  try {
    // A redirect is not followed (it would carry the credentials wherever it points): said.
    res = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw unreachable(url, err);
  }
  if (isRedirect(res.status)) {
    await dropAnswer(res);
    throw new Error(
      `the daemon at ${url.origin} answered ${res.status}, ${redirectTarget(res.headers.get('location'), url)}; redirects are not followed: give --daemon the daemon's own URL`,
    );
  }
  let text: string;
  try {
    text = (await readAtMost(res, `the daemon at ${url.origin}`)).toString('utf8');
  } catch (err) {
    throw err instanceof AnswerTooLarge ? err : unreachable(url, err);
  }
  if (res.status === 401)
    throw new Error(
      user
        ? `the daemon at ${url.origin} refused the credentials of QOSWATCH_API_USER ${JSON.stringify(user)} (wrong user or QOSWATCH_API_PASSWORD)`
        : `the daemon at ${url.origin} wants basic auth: set QOSWATCH_API_USER and QOSWATCH_API_PASSWORD`,
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(
      `the daemon at ${url.origin} answered ${res.status} without JSON: is it qoswatch 0.1 or later?`,
    );
  }
  if (!res.ok) {
    const why = (body as { error?: unknown }).error;
    throw new Error(
      `the daemon at ${url.origin} answered ${res.status}: ${typeof why === 'string' ? why : text.slice(0, 200)}`,
    );
  }
  return body;
}

async function fromDaemon(
  base: string,
  id: string | undefined,
  participant: string | undefined,
  format: string,
): Promise<string> {
  if (id === undefined) {
    const body = await daemonGet(base, 'api/v1/instances');
    return format === 'json' ? JSON.stringify(body, null, 2) + '\n' : instancesTable(body);
  }
  const path = `api/v1/instances/${encodeURIComponent(instanceId(id))}`;
  const view = parseInspectJson(await daemonGet(base, path));
  return render(view, participant, format);
}

function render(view: InspectView, participant: string | undefined, format: string): string {
  const one = participant === undefined ? undefined : pick(view, participant);
  if (format === 'json') return inspectJson(one ? { ...view, participants: [one] } : view);
  return inspectTable(view, one);
}

export async function inspect(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      kind: { type: 'string' },
      format: { type: 'string' },
      daemon: { type: 'string' },
      reserve: { type: 'string' },
    },
    { max: Infinity, what: 'ids' },
  );
  const kind = kindOption(values.kind);
  const format = values.format ?? 'table';
  if (!FORMATS.has(format)) throw new UsageError(`--format is table or json, not ${JSON.stringify(format)}`);
  if (positionals.length > 2)
    throw new UsageError('give an instance id (or UUID) and at most one participant');
  const [id, participant] = positionals;
  if (values.daemon !== undefined) {
    if (values.config !== undefined) throw new UsageError('give --daemon or --config, not both');
    process.stdout.write(await fromDaemon(values.daemon, id, participant, format));
    return 0;
  }
  if (id === undefined)
    throw new UsageError(
      'give a meeting, webinar or session id (or UUID); --daemon URL lists what a daemon watches',
    );
  instanceId(id);
  const config = requireConfig(values.config);
  const log = commandLogger(config);
  const { client, close } = reportClient(config, kind, systemClock, log);
  try {
    const { view, one } = await inspectFromZoom(client, {
      kind: kind,
      id,
      ...(participant !== undefined ? { participant } : {}),
      rules: config.rules.paths.length ? loadRules(config.rules.paths) : [],
      gapToleranceMs: config.rules.gapToleranceMs,
      reserve: intOption(values.reserve, 'reserve', Math.ceil(client.budget.allowance / 10)),
      clock: systemClock,
      reserveCalls: true,
      wait: { onWait: (m) => process.stderr.write(`qoswatch inspect: ${m}\n`) },
    });
    process.stdout.write(
      format === 'json'
        ? inspectJson(one ? { ...view, participants: [one] } : view)
        : inspectTable(view, one),
    );
    return 0;
  } finally {
    close();
  }
}
