import { permanent, retryable, type NotifyError } from './errors.js';

/** What nodemailer's error carries: its own code, the system's (`originalCode`), the server's reply code. */
interface SmtpFailure {
  code?: string;
  originalCode?: string;
  responseCode?: number;
}

/** The system's codes of a failed lookup or connection, in plain words. */
const SYSTEM_WORDS: Record<string, string> = {
  ENOTFOUND: 'not found',
  EAI_AGAIN: 'no answer from the resolver for now',
  ENODATA: 'no address',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'timed out',
};

/** nodemailer's codes of failures before any SMTP reply, in plain words. */
const NODEMAILER_WORDS: Record<string, string> = {
  ECONNECTION: 'the connection failed or closed unexpectedly',
  ESOCKET: 'a network error',
  EPROTOCOL: 'it did not speak SMTP as expected',
  EMESSAGE: 'the message could not be made',
  ESTREAM: 'the message could not be read',
};

/**
 * A failed e-mail send as a NotifyError with words a person can act on: which server, what went
 * wrong in plain words, and what to check, by receiver name and setting (never the password,
 * never nodemailer's message, which may quote what the server echoed). Before, an unresolvable
 * host read `cannot reach the SMTP server (EDNS)` (outside tester hT43, LOW).
 */
export function classifySmtp(
  receiver: string,
  err: unknown,
  server: { host: string; port: number },
): NotifyError {
  const e = err as SmtpFailure;
  const code = e.code ?? '';
  const system = e.originalCode ? (SYSTEM_WORDS[e.originalCode] ?? e.originalCode) : undefined;
  const host = JSON.stringify(server.host);
  const check = `check the host and port of notifier ${receiver}`;
  if (code === 'EAUTH')
    return permanent(
      'NOTIFY_AUTH',
      `${receiver}: the SMTP server refused the login${e.responseCode ? ` (${e.responseCode})` : ''}; check user and password (or password_file)`,
    );
  // "454 TLS not available", or no STARTTLS offered: trying again will not change the server.
  if (code === 'ETLS')
    return permanent(
      'NOTIFY_TLS',
      `${receiver}: the SMTP server would not start TLS${e.responseCode ? ` (${e.responseCode})` : ''}; use the port and security the server offers (security: tls on 465), or security: none only on a network you trust`,
    );
  if (code === 'EENVELOPE')
    return permanent('NOTIFY_BAD_ADDRESS', `${receiver}: an address was refused (${e.responseCode ?? ''})`);
  // nodemailer's own connection, greeting or socket timeout (set to delivery.timeout): the
  // same answer as the send's deadline, whichever of the two runs out first.
  if (code === 'ETIMEDOUT')
    return retryable('NOTIFY_TIMEOUT', `${receiver}: the SMTP server ${host} did not answer in time`);
  if (e.responseCode !== undefined) {
    return e.responseCode >= 500
      ? permanent('NOTIFY_REJECTED', `${receiver}: the SMTP server rejected the message (${e.responseCode})`)
      : retryable(
          'NOTIFY_SERVER_ERROR',
          `${receiver}: the SMTP server deferred the message (${e.responseCode})`,
        );
  }
  if (code === 'EDNS')
    return retryable(
      'NOTIFY_NETWORK',
      `${receiver}: cannot resolve the SMTP host ${host} (DNS: ${system ?? 'no address'}); check the host of notifier ${receiver}`,
    );
  const why = system ?? NODEMAILER_WORDS[code] ?? 'a network error';
  return retryable(
    'NOTIFY_NETWORK',
    `${receiver}: cannot reach the SMTP server ${host} on port ${server.port} (${why}); ${check}`,
  );
}
