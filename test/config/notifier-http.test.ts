import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { configErrorOf } from '../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-nhttp-'));
const ZOOM = 'zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n';
let n = 0;
function write(text: string): string {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, ZOOM + text);
  return file;
}
/** Each line of `want` is in the error, after the file's name. */
function expectProblems(text: string, want: string[], not: string[] = []): void {
  const file = write(text);
  const msg = configErrorOf(file);
  for (const w of want) expect(msg).toContain(`${file}${w}`);
  for (const x of not) expect(msg).not.toContain(x);
}

describe("notifiers' URLs and headers (outside tester, stop 34)", () => {
  // Old code: all loaded; alertmanager posted to /?x=1/api/v2/alerts, /am/ and
  // /api/v2/alerts/api/v2/alerts, slack's methods went into the query.
  it('a base URL with a query or a fragment, an alertmanager url with /api/v2/alerts, a webhook fragment', () => {
    expectProblems(
      'notifiers:\n' +
        '  - { name: a, type: alertmanager, url: "http://127.0.0.1:19101/?x=1" }\n' +
        '  - { name: b, type: alertmanager, url: "http://h/am/#frag" }\n' +
        '  - { name: c, type: alertmanager, url: "http://h/am/api/v2/alerts" }\n' +
        '  - { name: d, type: slack, token: t, channel: "#c", api_url: "http://h/api/?x=1" }\n' +
        '  - { name: e, type: webhook, url: "http://h/hook?token=QSECRET#part" }\n' +
        '  - { name: f, type: webhook, url: "http://h/hook?token=QSECRET" }\n' +
        'route: { receiver: a }\n',
      [
        `:6:41: notifiers[0].url: found "http://127.0.0.1:19101/?x=[redacted]", which has a query or a fragment (/api/v2/alerts is appended to the path); expected Alertmanager's base URL such as http://alertmanager:9093, without a query or a fragment`,
        ':7:41: notifiers[1].url: found "http://h/am/#[redacted]", which has a query or a fragment',
        `:8:41: notifiers[2].url: found "http://h/am/api/v2/alerts", which ends in /api/v2/alerts (qoswatch appends it); expected Alertmanager's base URL such as http://alertmanager:9093 (or http://host/prefix behind a path prefix)`,
        ':9:63: notifiers[3].api_url: found "http://h/api/?x=[redacted]", which has a query or a fragment (method names such as chat.postMessage are appended to it)',
        ':10:36: notifiers[4].url: found a URL with a fragment (#…), which is never sent; expected the URL without it (a query is kept)',
      ],
      ['notifiers[5]', 'QSECRET'],
    );
  });

  // Old code: only warned of (setting-warnings.ts), loaded, and every alert posted to
  // /API/V2/ALERTS/api/v2/alerts: Alertmanager's paths are case-sensitive, so each was a 404.
  it('an alertmanager url ending in /api/v2/alerts in another case is refused at the url, as the lower case is', () => {
    expectProblems(
      'notifiers:\n' +
        '  - { name: a, type: alertmanager, url: "http://h:9093/API/V2/ALERTS" }\n' +
        '  - { name: b, type: alertmanager, url: "http://h/am/Api/v2/Alerts/" }\n' +
        '  - { name: c, type: alertmanager, url: "http://h/API/V2/ALERTS/x" }\n' +
        '  - { name: d, type: alertmanager, url: "http://h/api/v2/alerts/." }\n' +
        '  - { name: e, type: alertmanager, url: "http://h/api/v2/x/../alerts" }\n' +
        'route: { receiver: a }\n',
      [
        `:6:41: notifiers[0].url: found "http://h:9093/API/V2/ALERTS", which ends in /API/V2/ALERTS, Alertmanager's API path /api/v2/alerts in another case (its paths are case-sensitive) (qoswatch appends it); expected Alertmanager's base URL such as http://alertmanager:9093 (or http://host/prefix behind a path prefix)`,
        `:7:41: notifiers[1].url: found "http://h/am/Api/v2/Alerts/", which ends in /Api/v2/Alerts, Alertmanager's API path /api/v2/alerts in another case`,
        // Dot segments as a request resolves them (outside tester hT42b, stop 42: only warned of).
        `:9:41: notifiers[3].url: found "http://h/api/v2/alerts/.", which ends in /api/v2/alerts (qoswatch appends it)`,
        `:10:41: notifiers[4].url: found "http://h/api/v2/x/../alerts", which ends in /api/v2/alerts (qoswatch appends it)`,
      ],
      ['notifiers[2]'],
    );
  });

  // Old code: loaded, then every attempt failed as 'network error (bad port)', retried until given up.
  it('a port fetch refuses, in any URL setting qoswatch fetches', () => {
    expectProblems(
      '  api_url: http://127.0.0.1:10080\n' +
        'notifiers:\n' +
        '  - { name: a, type: webhook, url: "http://127.0.0.1:6666/h" }\n' +
        '  - { name: b, type: alertmanager, url: "http://h:6000" }\n' +
        '  - { name: c, type: webhook, url: "http://127.0.0.1:6665/h" }\n' +
        '  - { name: ok, type: webhook, url: "http://127.0.0.1:6664/h" }\n',
      [
        ':5:12: zoom.api_url: found "http://127.0.0.1:10080", whose port 10080 is one fetch refuses (a "bad port" of the fetch standard; pick another port)',
        ':7:36: notifiers[0].url: found "http://127.0.0.1:6666/h", whose port 6666 is one fetch refuses',
        ':8:41: notifiers[1].url: found "http://h:6000", whose port 6000 is one fetch refuses',
        ':9:36: notifiers[2].url: found "http://127.0.0.1:6665/h", whose port 6665',
      ],
      ['notifiers[3]'],
    );
  });

  // Old code: loaded; own headers were comma-joined to qoswatch's, Content-Length hung every
  // delivery, a CR/LF value or a name with a space failed every attempt as a network error.
  it('headers qoswatch or the HTTP client sets, invalid names and values, a name given twice', () => {
    expectProblems(
      'notifiers:\n' +
        '  - name: w\n    type: webhook\n    url: http://h/hook\n    secret: s\n    headers:\n' +
        '      Authorization: "Bearer CRLFSECRET\\r\\nX-Injected: 1"\n' +
        '      X-Qoswatch-Signature: sha256=forged\n' +
        '      X-Qoswatch-Notification-Id: mine\n' +
        '      Content-Type: text/plain\n' +
        '      Content-Length: "5"\n' +
        '      Host: evil.example\n' +
        '      "Bad Name": v\n' +
        '      authorization: again\n' +
        '      X-Team: noc\n' +
        '  - { name: a, type: alertmanager, url: "http://h", headers: { Transfer-Encoding: chunked, X-Qoswatch-Signature: ok } }\n',
      [
        ':11:22: notifiers[0].headers.Authorization: the value of Authorization holds a line break, a control character or a character beyond Latin-1, which fetch refuses; expected a value on one line',
        ':12:7: notifiers[0].headers.X-Qoswatch-Signature: X-Qoswatch-Signature is set by qoswatch itself; expected a header of your own (remove this one)',
        ':13:7: notifiers[0].headers.X-Qoswatch-Notification-Id: X-Qoswatch-Notification-Id is set by qoswatch itself',
        ':14:7: notifiers[0].headers.Content-Type: Content-Type is set by qoswatch itself',
        ':15:7: notifiers[0].headers.Content-Length: Content-Length is set by the HTTP client from the request; expected a header of your own (remove this one)',
        ':16:7: notifiers[0].headers.Host: Host is set by the HTTP client',
        `:17:7: notifiers[0].headers.Bad Name: found the header name "Bad Name"; expected a name of letters, digits and !#$%&'*+-.^_\`|~ (no space or colon)`,
        ':18:7: notifiers[0].headers.authorization: authorization is given twice (header names are case-insensitive); expected it once',
        ':20:64: notifiers[1].headers.Transfer-Encoding: Transfer-Encoding is set by the HTTP client',
      ],
      ['X-Team', 'CRLFSECRET', 'notifiers[1].headers.X-Qoswatch-Signature'],
    );
  });

  it('a webhook query, a path prefix and headers of its own load', () => {
    const c = loadConfig(
      write(
        'notifiers:\n' +
          '  - { name: w, type: webhook, url: "http://h/hook?token=t", headers: { Authorization: "Bearer x", X-Team: noc } }\n' +
          '  - { name: a, type: alertmanager, url: "http://h/prefix/", headers: { X-Scope-OrgID: t1 } }\n',
      ),
      {},
    );
    expect(c.notify.notifiers.map((x) => x.name)).toEqual(['w', 'a']);
  });
});

describe('a Slack token no HTTP header can carry (outside tester hT41, from its MEDIUM 1)', () => {
  // Old code: `qoswatch check` passed it, and every delivery failed in the HTTP client.
  it.each([
    ['a line break', '"xoxb-SLACKTOKEN\\nx"'],
    ['a space', '"xoxb-SLACKTOKEN x"'],
    ['a euro sign', '"xoxb-SLACKTOKEN€"'],
  ])('%s is said at the token, which is not shown', (_name, token) => {
    const file = write(`notifiers:\n  - { name: s, type: slack, channel: "#a", token: ${token} }\n`);
    const msg = configErrorOf(file);
    expect(msg).toContain(
      `${file}:6:51: notifiers[0].token: the token (not shown) holds a line break, a space, a control character or a character beyond ASCII, which an HTTP header cannot carry; expected the token on one line, as slack gives it`,
    );
    expect(msg).not.toContain('SLACKTOKEN');
  });

  it('a token_file holding one is said at the token_file', () => {
    const secret = join(dir, 'token.txt');
    writeFileSync(secret, 'xoxb-SLACKTOKEN\u0000x\n');
    const file = write(`notifiers:\n  - { name: s, type: slack, channel: "#a", token_file: ${secret} }\n`);
    const msg = configErrorOf(file);
    expect(msg).toContain(`${file}:6:56: notifiers[0].token_file: the token (not shown) holds`);
    expect(msg).not.toContain('SLACKTOKEN');
  });
});
