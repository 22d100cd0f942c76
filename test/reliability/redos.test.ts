import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FileInvalidError } from '../../src/util/file-errors.js';
import { loadConfig } from '../../src/config/load.js';
import { compilePattern, isPattern } from '../../src/util/patterns.js';
import { compileMatchers } from '../../src/notify/matchers.js';
import { runCli } from '../helpers/cli.js';
import { rulesFrom, sample, writeRuleFile } from '../helpers/rules.js';

/**
 * Issue 9, item 3: `participant: '/(a+)+$/'` was accepted, and a participant named
 * `aaaaaaaaaaaaaaaaaaaaaaaaaaa!` stalled the daemon (V8's backtracking engine takes 2^n steps).
 * Rule filters and label matchers now run on RE2 (re2js), which is linear in the input.
 */
const EVIL = '/(a+)+$/';
// 40 a's: a backtracking engine would need ~2^40 steps here, so a regression hangs the test.
const EVIL_NAME = `${'a'.repeat(40)}!`;
const CREDS = { ZOOM_ACCOUNT_ID: 'a', ZOOM_CLIENT_ID: 'c', ZOOM_CLIENT_SECRET: 's' };

function configWith(rulesText: string, extra = ''): string {
  const rules = writeRuleFile(rulesText);
  const file = rules.replace(/\.yaml$/, '-config.yaml');
  writeFileSync(
    file,
    `zoom:\n  account_id: \${ZOOM_ACCOUNT_ID}\n  client_id: \${ZOOM_CLIENT_ID}\n  client_secret: \${ZOOM_CLIENT_SECRET}\nrules:\n  paths: [${rules}]\n${extra}`,
  );
  return file;
}

describe('rule filters cannot stall the daemon (ReDoS)', () => {
  it('compiles /regex/ filters to RE2, not to a backtracking RegExp', () => {
    const p = compilePattern(EVIL);
    expect(isPattern(p)).toBe(true);
    expect(p).not.toBeInstanceOf(RegExp);
    // RE2 semantics: what RE2 cannot do in linear time (backreferences, lookaround) is refused.
    const back = compilePattern('/(a)\\1/');
    expect(back).toMatchObject({ error: expect.stringContaining('expected RE2 syntax') as string });
    expect(compilePattern('/(?<=a)b/')).toHaveProperty('error');
  });

  it('evaluates the evil pattern on the evil name, and answers correctly', () => {
    const [rule] = rulesFrom([
      {
        name: 'vip-latency',
        metric: 'latency',
        streams: ['any_audio'],
        when: 'above',
        threshold: '300ms',
        filters: { participant: EVIL },
      },
    ]);
    const s = (name: string): ReturnType<typeof sample> => {
      const x = sample('p1', 0, {});
      x.participant = { ...x.participant, key: 'k', name, email: '' };
      return x;
    };
    expect(rule!.matches(s(EVIL_NAME))).toBe(false);
    expect(rule!.matches(s('a'.repeat(40)))).toBe(true);
    // Case-insensitive, as before.
    expect(rule!.matches(s('AAA'))).toBe(true);
  });

  it('globs stay globs: * matches anything, other characters are literal', () => {
    const p = compilePattern('Room *(B).*');
    if (!isPattern(p)) throw new Error(p.error);
    expect(p.test('room 12(b).x')).toBe(true);
    expect(p.test('Room 12 B x')).toBe(false);
    // Many stars against a long value that does not match: still linear.
    const stars = compilePattern(`${'*a'.repeat(30)}*b`);
    if (!isPattern(stars)) throw new Error(stars.error);
    expect(stars.test('a'.repeat(5000))).toBe(false);
  });

  it('route, silence and inhibit matchers use the same engine', () => {
    const test = compileMatchers({ participant: [EVIL], severity: '!/^(x+x+)+y$/' });
    expect(test({ participant: EVIL_NAME, severity: 'critical' })).toBe(false);
    expect(test({ participant: 'aaa', severity: 'x'.repeat(40) })).toBe(true);
  });

  it('check accepts the evil filter (it is safe now) and names a pattern RE2 refuses at file:line:col', async () => {
    const ok = configWith(
      `rules:\n  - name: vip\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    filters: { participant: '${EVIL}' }\n`,
    );
    const good = await runCli(['check', '--config', ok], CREDS);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);

    const bad = configWith(
      `rules:\n  - name: vip\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    filters:\n      participant: ['alice', '/(a)\\1/']\n`,
    );
    const r = await runCli(['check', '--config', bad], CREDS);
    expect(r.code).toBe(2);
    const rules = bad.replace(/-config\.yaml$/, '.yaml');
    expect(r.stderr).toContain(
      `${rules}:7:30: rules[0].filters.participant[1]: bad regular expression /(a)\\1/: error parsing regexp: invalid escape sequence: \`\\1\`; expected RE2 syntax (no backreferences or lookaround)`,
    );
  });

  it('a route, silence or inhibit matcher that RE2 refuses stops the config at its place', () => {
    const file = configWith(
      `rules:\n  - name: vip\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n`,
      [
        'notifiers: [{ name: out, type: console }]',
        'route:',
        '  receiver: out',
        '  routes:',
        "    - { receiver: out, match: { participant: '/(?=a)/' } }",
        'silences:',
        "  - matchers: { instance: ['x', '/(b)\\2/'] }",
        'inhibit_rules:',
        "  - { source_match: { alertname: '/(?!x)/' }, target_match: { severity: warning } }",
        '',
      ].join('\n'),
    );
    let err: unknown;
    try {
      loadConfig(file, CREDS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileInvalidError);
    const lines = (err as Error).message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(
        `^${escape(file)}:11:46: route\\.routes\\[0\\]\\.match\\.participant: bad regular expression /\\(\\?=a\\)/`,
      ),
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^${escape(file)}:13:33: silences\\[0\\]\\.matchers\\.instance\\[1\\]: bad regular expression`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^${escape(file)}:15:34: inhibit_rules\\[0\\]\\.source_match\\.alertname: bad regular expression`,
      ),
    );
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
