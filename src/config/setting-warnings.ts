import { isIPv4, isIPv6 } from 'node:net';
import { everyInterface } from '../util/every-interface.js';
import type { FileProblem } from '../util/file-errors.js';
import { hostPort } from '../util/host-port.js';
import type { Config } from './types.js';

/** Zoom's app Secret Tokens are this long; anything shorter was typed, cut, or is a placeholder. */
const ZOOM_TOKEN_LENGTH = 22;

/**
 * An Alertmanager url path that already names its API, or a part of it: qoswatch appends
 * /api/v2/alerts to it. `/api`, `/api/v1`, `/api/v2` and any path under them (`/api/v2/silences`,
 * `/api/v1/alerts`), or `/alerts`, in any case (`/API/V2`): Alertmanager answers 404 to each
 * with /api/v2/alerts after it. A prefix that only starts with the word (`/api-gw`) or has it
 * further up (`/api/alertmanager`, a proxy's prefix) is not one.
 */
const AM_API_PATH = /\/(api(?:\/v\d+(?:\/.*)?)?|alerts)\/*$/i;

/**
 * Settings that are valid but weak, exposed or probably wrong (a short webhook secret token,
 * webhooks on every interface in plain HTTP, an Alertmanager url that already ends in its API
 * path, an SMTP password sent in clear text), at their file:line:col: said by `qoswatch check` and logged at start-up, never refused.
 * A secret is never shown, only its length; a url only by the end of its path.
 */
export function settingWarnings(config: Config): FileProblem[] {
  return [...webhookWarnings(config), ...alertmanagerWarnings(config), ...emailWarnings(config)];
}

/**
 * Whether an SMTP host is this machine as nodemailer connects to it: `localhost`, an IPv4
 * address of 127.0.0.0/8 written as one (four decimal parts, no leading zeros: `127.000.0.1` and
 * `127.1` go to the resolver first), or IPv6 loopback however written (`::1`, `0:0:0:0:0:0:0:1`,
 * `::ffff:127.0.0.1`). Judged by the address, not the spelling (hT44b S1); anything else, `[::1]`
 * (which nodemailer cannot connect to) included, is taken as another machine.
 */
function onThisMachine(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (!isIPv6(host)) return false;
  const h = new URL(`http://[${host}]/`).hostname;
  return h === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:/.test(h);
}

/**
 * An e-mail notifier with a password and `security: none` to another machine: the password
 * (AUTH PLAIN or LOGIN) and every alert cross the network in clear text (hT44 F4). The host is
 * shown as a JSON string, so that one written with a line break or a control character is
 * still a warning of one line (rA44).
 */
function emailWarnings(config: Config): FileProblem[] {
  return config.notify.notifiers.flatMap((n, i) => {
    if (n.type !== 'email' || n.settings.security !== 'none' || !n.settings.password) return [];
    if (onThisMachine(n.settings.host)) return [];
    return [
      config.source.problemAt(
        ['notifiers', i, 'security'],
        `notifier "${n.name}": security: none sends the SMTP password and the alerts to ${JSON.stringify(n.settings.host)} in clear text; expected security: starttls (port 587) or tls (port 465), or none only for a relay on this machine`,
      ),
    ];
  });
}

function alertmanagerWarnings(config: Config): FileProblem[] {
  return config.notify.notifiers.flatMap((n, i) => {
    if (n.type !== 'alertmanager') return [];
    const end = AM_API_PATH.exec(new URL(n.settings.url).pathname)?.[0].replace(/\/+$/, '');
    if (!end) return [];
    return [
      config.source.problemAt(
        ['notifiers', i, 'url'],
        `the url's path ends in ${end}, and qoswatch appends /api/v2/alerts to it (posting to ...${end}/api/v2/alerts, which Alertmanager answers 404); expected Alertmanager's base URL such as http://alertmanager:9093 (or http://host/prefix behind a path prefix)`,
      ),
    ];
  });
}

function webhookWarnings(config: Config): FileProblem[] {
  const { source } = config;
  const out: FileProblem[] = [];
  const webhooks = config.webhooks;
  if (webhooks && !webhooks.tls && everyInterface(webhooks.host) !== undefined) {
    const listen = hostPort(webhooks.host, webhooks.port);
    const given = source.nodeAt(['webhooks', 'listen']).depth === 2;
    out.push(
      source.problemAt(
        given ? ['webhooks', 'listen'] : ['webhooks'],
        `${given ? '' : 'listen is left at the default '}${listen}: Zoom's requests (and their signatures) arrive in plain HTTP on every interface; expected 127.0.0.1:${webhooks.port} behind a TLS reverse proxy (docs/webhooks.md), or webhooks.web.tls_server_config to serve HTTPS`,
        !given,
      ),
    );
  }
  webhooks?.apps.forEach((app, i) => {
    const n = app.secretToken.length;
    if (!n || n >= ZOOM_TOKEN_LENGTH) return;
    const path = ['webhooks', 'apps', i, 'secret_token'];
    const key = source.nodeAt(path).depth === path.length ? 'secret_token' : 'secret_token_file';
    out.push(
      source.problemAt(
        ['webhooks', 'apps', i, key],
        `app "${app.name}": the secret token is ${n} character${n === 1 ? '' : 's'} long; expected the app's Secret Token as Zoom shows it (${ZOOM_TOKEN_LENGTH} characters): a short one is easy to guess, and whoever guesses it can push forged QoS`,
      ),
    );
  });
  return out;
}
