import { format } from 'node:util';
import type { Logger as SlackLogger, LogLevel } from '@slack/web-api';
import type { Logger } from 'pino';
import { hiddenAsLogged } from '../../util/log-secrets.js';
import { escapeControls } from '../../util/shown-text.js';

/** The client's warning when a request fails: the error it then throws says the same. */
const REQUEST_FAILED = 'http request failed';

/** The most characters of one line the Slack client logs (a message out of Slack's answer). */
const MAX_LINE = 2000;

/**
 * A line the client logs: the config's secrets and the patterns hidden first (a cut must not
 * leave half a token), then every control, line feed and direction character escaped (the pretty
 * format prints a message as it is), then cut.
 */
function line(log: Logger, msg: readonly unknown[]): string {
  const shown = escapeControls(hiddenAsLogged(log, format(...msg)), { lines: false });
  return shown.length > MAX_LINE ? `${shown.slice(0, MAX_LINE)}…` : shown;
}

/**
 * @slack/web-api's logger (the @slack/logger interface) through the notifier's pino logger.
 * Without one the client makes a console logger of its own that writes to stderr as it is:
 * response_metadata's "[ERROR] ..." messages of Slack's answer (or of whatever api_url names)
 * went out with the configured token and raw terminal escapes, and broke `run`'s JSON log.
 * Slack's errors and warnings are logged at warn, the client's own lines at debug; pino's level
 * decides what is written. The client's "http request failed <why>" is at debug too: the error
 * it throws then is the notifier's failure, said once by whoever sends (notify-test's line, the
 * outbox's log and lastError); at warn it was a second, raw JSON line in the middle of
 * notify-test's human output (hT45 L3). The level (`initial`, the client's LogLevel.WARN: its enum is
 * loaded with the client) is kept only to be read back.
 */
export function slackLogger(log: Logger, initial: LogLevel): SlackLogger {
  const child = log.child({ component: 'slack-web-api' });
  let level = initial;
  return {
    error: (...msg: unknown[]) => child.warn(line(log, msg)),
    warn: (...msg: unknown[]) =>
      msg[0] === REQUEST_FAILED ? child.debug(line(log, msg)) : child.warn(line(log, msg)),
    info: (...msg: unknown[]) => child.debug(line(log, msg)),
    debug: (...msg: unknown[]) => child.debug(line(log, msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
