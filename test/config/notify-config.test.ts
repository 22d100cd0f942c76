import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { CONFIG_SCHEMA_FILE, configSchema } from '../../src/config/schema.js';
import { NOTIFIERS } from '../../src/notify/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-ncfg-'));
const ZOOM = 'zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n';
const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, ZOOM + text);
  return f;
};
const error = (f: string): string => {
  try {
    loadConfig(f, {});
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
};

describe('notifier settings', () => {
  it('the committed schema file is the one the registry makes (run npm run schema after adding a notifier)', () => {
    const committed = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(configSchema())));
    const kinds = JSON.stringify((configSchema().properties as Record<string, unknown>).notifiers);
    for (const p of NOTIFIERS) expect(kinds).toContain(`"const":"${p.type}"`);
  });

  it('loads notifiers, reading secrets from files', () => {
    writeFileSync(join(dir, 'slack-token'), 'xoxb-from-file\n');
    const c = loadConfig(
      write(
        'ok.yaml',
        `notifiers:\n  - { name: noc, type: slack, token_file: slack-token, channel: '#noc' }\n  - { name: log, type: console }\nroute:\n  receiver: noc\n  routes:\n    - { match: { severity: info }, receiver: log }\n`,
      ),
      {},
    );
    expect(c.notify.notifiers[0]).toMatchObject({
      name: 'noc',
      type: 'slack',
      settings: { token: 'xoxb-from-file' },
    });
    expect(c.notify.notifiers[0]).not.toHaveProperty('token_file');
    expect(c.notify.notifiers[0]).not.toHaveProperty('settings.token_file');
  });

  const cases = [
    {
      name: 'a setting of another kind, with did-you-mean',
      text: `notifiers:\n  - { name: n, type: slack, token: t, chanel: '#x' }\n`,
      want: ':6:39: notifiers[0].chanel: unknown setting "chanel" (did you mean "channel"?); expected one of: name, type, send_resolved, group_wait, group_interval, repeat_interval, rate_limit, token, channel, api_url, token_file',
    },
    {
      name: 'an unknown kind',
      text: `notifiers:\n  - { name: n, type: pager }\n`,
      want: 'notifiers[0].type: found "pager"; expected one of "console", "slack", "email", "webhook", "alertmanager", "module"',
    },
    {
      name: 'a missing secret',
      text: `notifiers:\n  - { name: n, type: slack, channel: '#x' }\n`,
      want: ':6:5: notifiers[0]: missing required setting "token"; expected token or token_file (a file holding it) in a slack notifier',
    },
    {
      name: 'a route to a notifier that does not exist',
      text: `notifiers:\n  - { name: n, type: console }\nroute:\n  receiver: nope\n`,
      want: ':8:13: route.receiver: found "nope"; expected the name of a notifier: n',
    },
    {
      name: 'a bad time zone',
      text: `silences:\n  - { matchers: { severity: info }, recurring: { start: '22:00', end: '07:00', time_zone: Mars/Base } }\n`,
      want: 'silences[0].recurring.time_zone: found "Mars/Base"; expected an IANA time zone',
    },
    {
      name: 'a silence without matchers (it would hold back every alert)',
      text: `silences:\n  - { matchers: {}, comment: all }\n`,
      want: ':6:17: silences[0].matchers: no matchers: the silence would hold back every alert; expected at least one label matcher, e.g. { alertname: wifi-signal-weak }',
    },
    {
      // Outside tester: taken as every day, without a word.
      name: 'a recurring silence with days: [] (no day: every day, or none?)',
      text: `silences:\n  - { matchers: { severity: info }, recurring: { days: [], start: '22:00', end: '07:00' } }\n`,
      want: ':6:56: silences[0].recurring.days: found an empty list; expected a list of at least one day (mon to sun, weekdays, weekends); leave days out for every day',
    },
    {
      // Outside tester (c4.yaml): accepted, and held back nothing.
      name: 'a recurring window that ends when it starts',
      text: `silences:\n  - { matchers: { severity: info }, recurring: { start: '22:00', end: '22:00' } }\n`,
      want: ":6:71: silences[0].recurring.end: found \"22:00\", the same as start: the window is empty and holds back nothing; expected another time (for a whole day, start: '00:00' and end: '24:00')",
    },
    {
      name: 'a bad time of day',
      text: `silences:\n  - { matchers: { severity: info }, recurring: { start: '25:00', end: '07:00' } }\n`,
      want: 'expected a time of day such as 22:00',
    },
    {
      name: 'a duplicate name',
      text: `notifiers:\n  - { name: n, type: console }\n  - { name: n, type: console }\n`,
      want: ':7:13: notifiers[1].name: notifier "n" is defined twice',
    },
  ];
  it.each(cases)('$name', ({ name, text, want }) => {
    const f = write(`${name.replace(/\W+/g, '-')}.yaml`, text);
    expect(error(f)).toContain(want.startsWith(':') ? `${f}${want}` : want);
  });
});
