import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configErrorOf } from '../helpers/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { expandEnv } from '../../src/util/yaml-env.js';
import { fromRoot } from '../../src/util/package-root.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-config-'));
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
const errorOf = configErrorOf;

const ZOOM = 'zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n';

describe('the example config', () => {
  it('loads with its documented defaults once the environment gives the credentials', () => {
    const c = loadConfig(fromRoot('config.example.yaml'), {
      ZOOM_ACCOUNT_ID: 'acc',
      ZOOM_CLIENT_ID: 'id',
      ZOOM_CLIENT_SECRET: 'sec',
    });
    expect(c.zoom).toMatchObject({
      apiUrl: 'https://api.zoom.us',
      accountId: 'acc',
      clientSecret: 'sec',
      dailyShare: 1,
    });
    expect(c.zoom!.limits).toEqual({
      heavyPerSecond: 40,
      resourcePerMinute: 20,
      dailyPool: 60_000,
      heavySafetyMargin: 0.1,
    });
    expect(c.poll).toMatchObject({
      minIntervalMs: 60_000,
      maxIntervalMs: 600_000,
      discoveryIntervalMs: 60_000,
      freshAgeMs: 300_000,
    });
    expect(c.metrics).toEqual({
      host: '0.0.0.0',
      port: 9781,
      topicLabel: false,
      participantSeries: false,
      participantIdentity: false,
    });
    expect(c.sources).toEqual({ meetings: true, webinars: true, sessions: false });
  });
});

describe('environment and secret files', () => {
  it('expands ${VAR} and ${VAR:-default}', () => {
    const f = write(
      'env.yaml',
      'zoom:\n  account_id: ${ACC}\n  client_id: ${CID:-fallback}\n  client_secret: x$$y\n  plan: pro\n',
    );
    const c = loadConfig(f, { ACC: 'from-env' });
    expect(c.zoom).toMatchObject({ accountId: 'from-env', clientId: 'fallback', clientSecret: 'x$y' });
    expect(c.zoom!.limits.heavyPerSecond).toBe(10);
    const margin = loadConfig(write('margin.yaml', `${ZOOM}  limits: { heavy_safety_margin: 0.25 }\n`), {});
    expect(margin.zoom!.limits.heavySafetyMargin).toBe(0.25);
  });

  it('takes $$ in a default as a literal $, as anywhere: `${X:-a$${b}` falls back to a${b} (stop 40: refused as a nested reference)', () => {
    const f = write(
      'escaped-default.yaml',
      "zoom:\n  account_id: '${X:-a$${b}'\n  client_id: '${X:-pa$$w}'\n  client_secret: '${X:-$$5}'\n",
    );
    // The old code: `:2:15: a "${X:-" whose default holds another "${" (...)`, and pa$$w, $$5 as written.
    expect(loadConfig(f, {}).zoom).toMatchObject({ accountId: 'a${b', clientId: 'pa$w', clientSecret: '$5' });
    expect(loadConfig(f, { X: 'set' }).zoom).toMatchObject({
      accountId: 'set',
      clientId: 'set',
      clientSecret: 'set',
    });
    // A default still ends at the first "}", and "${" unescaped in it is still refused, at the outer "${".
    expect(
      configErrorOf(
        write(
          'unclosed-default.yaml',
          "zoom:\n  account_id: '${X:-a$${b'\n  client_id: c\n  client_secret: s\n",
        ),
      ),
    ).toBe(
      `${join(dir, 'unclosed-default.yaml')}:2:16: a "\${X" with no closing "}"; expected \${VAR}, \${VAR:-default}, or $$ for a literal $`,
    );
  });

  it('reads an unclosed default of many $: refused at its `${`, each `$$` one `$` (rA40: 2^n tries, 50 hung check past 60 s)', () => {
    // Few enough that 2^n tries would end: test/config/env-linear.test.ts checks 10,000 in a
    // child process killed at a bound, so that a regression fails there instead of hanging here.
    const text = '${X:-' + '$'.repeat(16);
    expect(expandEnv(text, {})).toEqual({ value: '${X:-' + '$'.repeat(8), unset: [], malformed: [0] });
  });

  it('reads a secret from a file, relative to the config', () => {
    write('secret.txt', 'file-secret\n');
    const c = loadConfig(
      write('sf.yaml', 'zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: secret.txt\n'),
      {},
    );
    expect(c.zoom!.clientSecret).toBe('file-secret');
  });
});

const broken: { name: string; text: string; env?: Record<string, string>; want: string[]; not?: string[] }[] =
  [
    {
      name: 'unknown key with a near miss',
      text: `${ZOOM}pol:\n  min_interval: 60s\n`,
      want: [
        ':5:1: pol: unknown setting "pol" (did you mean "poll"?); expected one of: zoom, videosdk, sources, poll, metrics, state, log, rules, route, silences, inhibit_rules, delivery, webhooks, reports, notifiers',
      ],
    },
    {
      // Before: 'notifiers[0]: missing required setting "token" (or "token_file")' first (outside tester, c25.yaml).
      name: 'a notifier secret file that cannot be read, said once',
      text: `${ZOOM}notifiers:\n  - { name: a, type: slack, token_file: /nonexistent/tok, channel: "#x" }\n`,
      want: [
        ':6:41: notifiers[0].token_file: cannot read /nonexistent/tok (ENOENT); expected a readable file holding the secret',
      ],
      not: ['missing required setting'],
    },
    {
      name: 'unknown nested key',
      text: `${ZOOM}poll:\n  min_intervall: 60s\n`,
      want: [
        ':6:3: poll.min_intervall: unknown setting "min_intervall" (did you mean "min_interval"?); expected one of: min_interval, max_interval, discovery_interval, context_refresh, verdict_refresh, list_fields, fresh_age, concurrency, shutdown_timeout',
      ],
    },
    {
      name: 'bad duration',
      text: `${ZOOM}poll:\n  min_interval: sixty\n`,
      want: [':6:17: poll.min_interval: found "sixty"; expected a duration such as 90s, 5m or 1h'],
    },
    {
      name: 'wrong type',
      text: `${ZOOM}sources:\n  meetings: yes please\n`,
      want: [':6:13: sources.meetings: found "yes please"; expected true or false'],
    },
    {
      name: 'bad enum',
      text: `zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n  plan: enterprise\n`,
      want: [':5:9: zoom.plan: found "enterprise"; expected one of "pro", "business"'],
    },
    {
      name: 'share out of range',
      text: `zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n  daily_share: 1.5\n`,
      want: [':5:16: zoom.daily_share: found 1.5; expected a number above 0 and at most 1'],
    },
    {
      name: 'safety margin out of range',
      text: `zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n  limits: { heavy_safety_margin: 0.9 }\n`,
      want: [':5:34: zoom.limits.heavy_safety_margin: found 0.9; expected a number from 0 to 0.5'],
    },
    {
      name: 'missing secret',
      text: `zoom:\n  account_id: a\n  client_id: c\n`,
      want: [
        ':2:3: zoom.client_secret: missing required setting "client_secret"; expected client_secret or client_secret_file (a file holding it) in zoom',
      ],
    },
    {
      name: 'unset environment variable',
      text: `zoom:\n  account_id: \${ZOOM_ACCOUNT_ID}\n  client_id: c\n  client_secret: s\n`,
      want: [
        ':2:15: environment variable ZOOM_ACCOUNT_ID is not set; set it, or write ${ZOOM_ACCOUNT_ID:-default}',
      ],
    },
    {
      // Outside test (stop 39): an unclosed "${" was taken as written and check said valid.
      name: 'unclosed variable reference',
      text: `zoom:\n  account_id: \${NOPE\n  client_id: "x\${1X}"\n  client_secret: s\n`,
      want: [
        ':2:15: a "${NOPE" with no closing "}"; expected ${VAR}, ${VAR:-default}, or $$ for a literal $',
        ':3:16: a "${" with no variable name after it; expected',
      ],
    },
    {
      // Outside test (stop 39, after 2a14e38): `${X:-${Y}` was valid, its default "${Y" taken as
      // written; in a block scalar the error pointed at the "|"; `${CS:?msg}` was told it had no
      // closing "}" or no name. Each now says what it is, at its "${".
      name: 'nested default, block scalar, unsupported form',
      text: `zoom:
  account_id: \${X:-\${Y}
  client_id: |
    ab \${
  client_secret: x \${CS:?must be set}
`,
      env: { X: 'x', Y: 'y', CS: 'cs' },
      want: [
        ':2:15: a "${X:-" whose default holds another "${" (a default is plain text: references do not nest); expected ${VAR}, ${VAR:-default}, or $$ for a literal $',
        ':4:8: a "${" with no variable name after it; expected',
        ':5:20: a reference to CS in an unsupported form (only ":-" may follow the name); expected ${VAR}, ${VAR:-default}, or $$ for a literal $',
      ],
      not: [':3:', 'must be set', 'no closing'],
    },
    {
      // Issue 15 outside test D5: ZOOM_QSS_SECRET_TOKEN= (set but empty) was reported as not set.
      name: 'environment variable set but empty',
      text: `zoom:\n  account_id: \${ZOOM_ACCOUNT_ID}\n  client_id: c\n  client_secret: s\n`,
      env: { ZOOM_ACCOUNT_ID: '' },
      want: [
        ':2:15: environment variable ZOOM_ACCOUNT_ID is set but empty; give it a value, or write ${ZOOM_ACCOUNT_ID:-default}',
      ],
      not: ['is not set'],
    },
    {
      name: 'listen without a port',
      text: `${ZOOM}metrics:\n  listen: localhost\n`,
      want: [
        ':6:11: metrics.listen: found "localhost"; expected host:port, e.g. 0.0.0.0:9781 or 127.0.0.1:9781',
      ],
    },
    {
      name: 'max below min',
      text: `${ZOOM}poll:\n  min_interval: 5m\n  max_interval: 1m\n`,
      want: [
        ':7:17: poll.max_interval: found 1m, shorter than min_interval (5m); expected at least min_interval',
      ],
    },
    {
      name: 'unreadable secret file',
      text: `zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: /nonexistent/qoswatch-secret\n`,
      want: [
        ':4:23: zoom.client_secret_file: cannot read /nonexistent/qoswatch-secret (ENOENT); expected a readable file holding the secret',
      ],
    },
    {
      name: 'sessions without videosdk',
      text: `${ZOOM}sources:\n  sessions: true\n`,
      want: [
        ':6:13: sources.sessions: sessions: true needs a "videosdk" section; expected videosdk: with the Video SDK account\'s api_key and api_secret, or sessions: false',
      ],
    },
    {
      name: 'meetings without a zoom section',
      text: `notifiers:\n  - { name: c, type: console }\n`,
      want: [':1:1: zoom: missing required setting "zoom"'],
    },
    {
      name: 'YAML syntax',
      text: `zoom:\n  account_id: a\n client_id: c\n`,
      want: [
        ':3:1: YAML syntax: All mapping items must start at the same column; expected the items of one mapping or list indented by the same number of spaces',
      ],
    },
    {
      name: 'a key given twice (outside tester, L3): its name and what is expected',
      text: `zoom:\n  account_id: a\n  client_id: c\nroute:\n  group_wait: 0s\n  group_wait: 5s\nlog: { level: info, "level": warn }\n`,
      want: [
        ':6:3: YAML syntax: the key "group_wait" appears twice in this mapping; expected each key once (remove or merge one of them)',
        ':7:21: YAML syntax: the key "level" appears twice in this mapping; expected each key once',
      ],
    },
    {
      name: 'a tab as indentation: what is expected',
      text: `zoom:\n\taccount_id: a\n`,
      want: [
        ':2:1: YAML syntax: Tabs are not allowed as indentation; expected spaces for indentation (YAML takes no tabs there)',
      ],
    },
    {
      name: 'several problems at once',
      text: `zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n  plan: free\nlog:\n  level: loud\n`,
      want: [':5:9: zoom.plan:', ':7:10: log.level: found "loud"'],
    },
    {
      name: 'URLs that are not http(s), or carry a password',
      text:
        `${ZOOM}  api_url: file:///etc/passwd\n  oauth_url: "javascript:alert(1)"\n` +
        'notifiers:\n  - name: w\n    type: webhook\n    url: http://user:pw@example.com/hook\n' +
        '  - name: ok\n    type: webhook\n    url: https://example.com/hook?a=b@c\n',
      want: [
        ':5:12: zoom.api_url: found "file:///etc/passwd", which is not an http:// or https:// URL; expected an http(s) URL such as https://api.zoom.us',
        ':6:14: zoom.oauth_url: found "javascript:alert(1)", which is not an http:// or https:// URL; expected an http(s) URL',
        ':10:10: notifiers[0].url: found "http://[redacted]@example.com/hook", which carries user:password@; expected an http(s) URL without user:password@ (credentials go in headers)',
      ],
      not: ['notifiers[1]'],
    },
    {
      // Old code: taken, and every call went to the host's / with /v2/… in the query (404s).
      name: 'API base URLs with a query or a fragment',
      text:
        `${ZOOM}  api_url: https://api.zoom.us/?region=eu\n` +
        'videosdk:\n  api_key: k\n  api_secret: s\n  api_url: "https://api.zoom.us/#x"\n',
      want: [
        ':5:12: zoom.api_url: found "https://api.zoom.us/?region=[redacted]", which has a query or a fragment (calls append /v2/… to it); expected an http(s) URL such as https://api.zoom.us, without a query or a fragment',
        ':9:12: videosdk.api_url: found "https://api.zoom.us/#[redacted]", which has a query or a fragment',
      ],
    },
    {
      name: 'URLs with a space or a character a URL never holds',
      text:
        `${ZOOM}  api_url: https://api.zoom.us/v2 x\n` +
        'notifiers:\n  - name: w\n    type: webhook\n    url: https://exa<mple.com/hook\n',
      want: [
        ':5:12: zoom.api_url: found "https://api.zoom.us/v2 x", which holds a space or a character a URL never holds; expected an http(s) URL such as https://api.zoom.us',
        ':9:10: notifiers[0].url: found "https://exa<mple.com/hook", which holds a space or a character a URL never holds; expected an http(s) URL without',
      ],
    },
    {
      name: 'notifier modules that cannot be loaded',
      text:
        `${ZOOM}notifiers:\n  - { name: a, type: module, module: ./nope.mjs }\n` +
        '  - { name: b, type: module, module: /etc/passwd }\n',
      want: [
        ':6:38: notifiers[0].module: cannot read ',
        ':7:38: notifiers[1].module: /etc/passwd is not a .js or .mjs file',
      ],
    },
    {
      name: 'alias bomb',
      text:
        'a: &a [x, x, x, x, x, x, x, x, x, x]\n' +
        Array.from({ length: 8 }, (_, i) => {
          const prev = i === 0 ? 'a' : String.fromCharCode(97 + i);
          const name = String.fromCharCode(98 + i);
          return `${name}: &${name} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]\n`;
        }).join(''),
      want: [
        ':2:8: YAML aliases expand to too many values; expected each anchor to be used by at most 100 aliases',
      ],
    },
    {
      // Old code: "YAML aliases expand to too many values" (the yaml package's "Unresolved alias").
      name: 'an alias without its anchor',
      text: `${ZOOM}poll:\n  min_interval: *sixty\n  max_interval: &later 5m\nrules: { gap_tolerance: *later }\n`,
      want: [
        ':6:17: no anchor named sixty before this alias; expected &sixty on a value earlier in the file (*sixty repeats that value)',
      ],
      not: ['too many values', 'later'],
    },
  ];

describe('the zoom section is needed only where it is read', () => {
  const notifiersOnly = 'notifiers:\n  - { name: c, type: console }\n';
  it('a sessions-only config loads without it', () => {
    const file = write(
      'sessions.yaml',
      `sources: { meetings: false, webinars: false, sessions: true }\nvideosdk: { api_key: k, api_secret: s }\n`,
    );
    const config = loadConfig(file, {});
    expect(config.zoom).toBeUndefined();
    expect(config.videosdk?.apiKey).toBe('k');
  });
  it('the notifier sections alone load for routes, notify-test and healthcheck', () => {
    const config = loadConfig(write('notifiers.yaml', notifiersOnly), {}, { notifiersOnly: true });
    expect(config.notify.notifiers.map((n) => n.name)).toEqual(['c']);
  });
});

describe('broken configs give file:line:col, the setting, what was found and what is expected', () => {
  it.each(broken)('$name', ({ name, text, env, want, not }) => {
    const file = write(`${name.replace(/\W+/g, '-')}.yaml`, text);
    const msg = errorOf(file, env);
    for (const w of want) expect(msg).toContain(`${file}${w}`);
    for (const n of not ?? []) expect(msg).not.toContain(n);
  });

  it('never prints a secret in an error', () => {
    const file = write(
      'leak.yaml',
      'zoom:\n  account_id: a\n  client_id: c\n  client_secret: TOPSECRET-123\n  plan: free\n',
    );
    expect(errorOf(file)).not.toContain('TOPSECRET-123');
  });

  it('never prints a secret that an alias or a copy puts in another setting', () => {
    // Old code: "poll.min_interval: found "SECRETVALUE123"; expected a duration".
    const viaAlias = write(
      'alias-secret.yaml',
      'zoom:\n  account_id: &s SECRETVALUE123\n  client_id: c\n  client_secret: *s\npoll: { min_interval: *s }\n',
    );
    expect(errorOf(viaAlias)).toContain(
      "alias-secret.yaml:5:23: poll.min_interval: found a string (not shown: a secret's value); expected a duration",
    );
    expect(errorOf(viaAlias)).not.toContain('SECRETVALUE123');
    // A section's own check (a rule path not found) quotes the path it read.
    const copied = write(
      'copied-secret.yaml',
      'zoom:\n  account_id: a\n  client_id: c\n  client_secret: SECRETVALUE123\nrules: { paths: [SECRETVALUE123] }\n',
    );
    expect(errorOf(copied)).toMatch(
      /copied-secret\.yaml:5:18: rules\.paths\[0\]: .*\(not shown: a secret's value\) not found/,
    );
    expect(errorOf(copied)).not.toContain('SECRETVALUE123');
  });

  it('never prints a short secret with a quote, a backslash or a tab that an alias puts in another setting (outside tester, stop 37)', () => {
    // Old code: `route.receiver: found "p"w1"`: a short secret was looked for only as JSON quotes it.
    for (const secret of ['p"w1', 'p\\w', 'a\tb']) {
      const file = write(
        'short-secret.yaml',
        `zoom:\n  account_id: a\n  client_id: c\n  client_secret: &s ${JSON.stringify(secret)}\n` +
          'notifiers:\n  - { name: log, type: console }\nroute: { receiver: *s }\n',
      );
      const msg = errorOf(file);
      expect(msg).toContain(
        "route.receiver: found (not shown: a secret's value); expected the name of a notifier",
      );
      expect(msg).not.toContain(secret);
    }
  });

  it('lists the first 10 YAML syntax errors and sums up the rest in one line', () => {
    const file = write('cascade.yaml', `zoom: {${'a: [b, '.repeat(60)}\n`);
    const lines = errorOf(file).split('\n');
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines.at(-1)).toMatch(/and \d+ more YAML syntax errors from here on/);
  });

  it('reports a problem the schema does not see with those it does, where they are independent (outside tester, c15.yaml)', () => {
    // On the old code only the schema's problems: the path given twice came once the secret was fixed.
    const file = write(
      'c15.yaml',
      `${ZOOM}webhooks:\n  apps:\n` +
        '    - { name: a, path: /x, secret_token: "" }\n' +
        '    - { name: b, path: /x, secret_token: "abcdefghijklmnop" }\n' +
        'notifiers:\n  - { name: n1, type: webhook, url: "http://x/", bogus: 1 }\n' +
        '  - { name: n1, type: webhook, url: "http://x/" }\n',
    );
    expect(
      errorOf(file)
        .split('\n')
        .map((l) => l.slice(file.length + 1)),
    ).toEqual([
      '7:42: webhooks.apps[0].secret_token: found an empty string; expected a non-empty string',
      '8:24: webhooks.apps[1].path: path /x is used twice; give each app its own',
      expect.stringMatching(/^10:50: notifiers\[0\]\.bogus: unknown setting "bogus"/),
      '11:13: notifiers[1].name: notifier "n1" is defined twice; expected a name no other notifier has',
    ]);
  });

  it('but not one that follows from a value the schema refused, nor one it says again', () => {
    // The max below a min that cannot be read, an app's secret "missing" where it is refused.
    const file = write(
      'dependent.yaml',
      `${ZOOM}poll: { min_interval: sixty, max_interval: 10s }\n` +
        'webhooks:\n  apps:\n    - { name: a, path: /x, secret_token: "" }\n',
    );
    expect(
      errorOf(file)
        .split('\n')
        .map((l) => l.slice(file.length + 1)),
    ).toEqual([
      '5:23: poll.min_interval: found "sixty"; expected a duration such as 90s, 5m or 1h',
      '8:42: webhooks.apps[0].secret_token: found an empty string; expected a non-empty string',
    ]);
  });
});
