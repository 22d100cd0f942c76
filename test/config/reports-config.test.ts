import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configErrorOf } from '../helpers/config-error.js';
import { loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-reports-config-'));
const BASE =
  'zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n' +
  'notifiers:\n  - name: mail\n    type: email\n    host: smtp.example.com\n    from: q@example.com\n    to: [noc@example.com]\n' +
  '  - name: am\n    type: alertmanager\n    url: http://127.0.0.1:9093\n';
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), BASE + text);
  return join(dir, name);
};
const errorOf = (file: string): string => configErrorOf(file);

describe('the reports section', () => {
  it('is absent by default: no reports are made', () => {
    expect(loadConfig(write('none.yaml', ''), {}).reports).toBeUndefined();
  });

  it('takes its defaults from config/defaults.ts, and the top route receiver when none is named', () => {
    expect(loadConfig(write('empty.yaml', 'reports: {}\n'), {}).reports).toEqual({
      send: 'alerts',
      receivers: ['mail'],
      keepMs: 30 * 86_400_000,
      delayMs: 120_000,
      source: 'auto',
      giveUpAfterMs: 3 * 86_400_000,
    });
    const c = loadConfig(
      write(
        'set.yaml',
        'reports:\n  send: all\n  receivers: [mail]\n  keep: 7d\n  delay: 0s\n  reserve: 500\n',
      ),
      {},
    );
    expect(c.reports).toMatchObject({
      send: 'all',
      receivers: ['mail'],
      keepMs: 7 * 86_400_000,
      delayMs: 0,
      reserve: 500,
    });
  });

  it('refuses what is wrong at its file:line:col, saying what is expected', () => {
    const f = write(
      'bad.yaml',
      'reports:\n  send: sometimes\n  receivers: [nobody, am]\n  keep: 5000d\n  delay: soon\n  colour: red\n',
    );
    const m = errorOf(f);
    expect(m).toMatch(/bad\.yaml:15:9: .*send.*alerts.*all.*none/);
    expect(m).toMatch(/bad\.yaml:17:9: .*keep/);
    expect(m).toMatch(/bad\.yaml:18:10: .*delay.*duration/);
    expect(m).toMatch(/bad\.yaml:19:3: .*colour/);
    const names = errorOf(write('names.yaml', 'reports:\n  receivers: [nobody, am]\n'));
    expect(names).toMatch(
      /names\.yaml:15:15: .*no notifier is named "nobody"; expected one of notifiers\[\]\.name \(mail, am\)/,
    );
    expect(names).toMatch(/names\.yaml:15:23: .*am is an Alertmanager notifier/);
  });
});
