import { dropAnswer, isRedirect, readAtMost, redirectTarget } from '../../util/bounded-answer.js';
import { fromHttpStatus, fromNetworkError, permanent, type NotifyError } from './errors.js';

/**
 * POSTs JSON and classifies the outcome; shared by the HTTP notifiers. Never logs the body or
 * headers. A redirect is not followed: fetch followed one to any host with the body, the
 * signature and the custom headers (all but Authorization), and the notification counted as
 * delivered though the configured receiver never took it. The answer is read and dropped, to
 * MAX_ANSWER_BYTES at most.
 */
export async function postJson(
  receiver: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  now: () => number,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      redirect: 'manual',
      signal,
    });
  } catch (err) {
    throw fromNetworkError(receiver, err, signal);
  }
  if (!res.ok && !isRedirect(res.status)) throw await refused(receiver, res, now());
  await dropAnswer(res);
  if (isRedirect(res.status)) throw redirected(receiver, url, res);
}

/** The most of a refusal's answer kept (NotifyError.refusal); a longer one is kept as ''. */
const MAX_REFUSAL_BYTES = 16 * 1024;

/** A 4xx or 5xx answer as fromHttpStatus classifies it, with its status and answer kept aside. */
async function refused(receiver: string, res: Response, now: number): Promise<NotifyError> {
  const answer = await readAtMost(res, receiver, MAX_REFUSAL_BYTES).catch(() => Buffer.alloc(0));
  const err = fromHttpStatus(receiver, res.status, res.headers.get('retry-after'), now);
  err.refusal = { status: res.status, answer: answer.toString('utf8') };
  return err;
}

/**
 * A 3xx answer, as a permanent failure: waiting does not change where the receiver sends us,
 * the notifier's URL has to. Names the status and the origin it points to, never its path or
 * query (they may hold a token).
 */
function redirected(receiver: string, url: string, res: Response): NotifyError {
  return permanent(
    'NOTIFY_REJECTED',
    `${receiver}: answered HTTP ${res.status}, ${redirectTarget(res.headers.get('location'), url)}; redirects are not followed: set the url to where it should go`,
  );
}
