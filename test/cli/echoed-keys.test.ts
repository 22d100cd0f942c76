import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';

/**
 * What a config or rule file's problem echoes of the file (an unknown key) is shown so that the
 * message still says what is wrong and where, and nothing of it acts on the terminal or leaks.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-echoed-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZOOM = 'zoom: { account_id: a, client_id: c, client_secret: s }\n';
const POLL =
  'min_interval, max_interval, discovery_interval, context_refresh, verdict_refresh, list_fields, fresh_age, concurrency, shutdown_timeout';

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Terminal controls and direction characters: none may reach the terminal raw. */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('an unknown key echoed in a problem', () => {
  it('a secret-looking key: said as an unknown setting at its file:line:col, the secret part hidden', async () => {
    const file = write(
      'pair.yaml',
      `${ZOOM}poll:\n  "password=hunter2hunter": 1\n  "${'k'.repeat(30)}_token=hunter2hunter": 2\n`,
    );
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    // The old code: `${file}:3:3: poll.password=[redacted]`, the rest of the line hidden with it.
    // Cut to 40 characters as an unknown key is, but never inside the `[redacted]`.
    const long = `${'k'.repeat(30)}_token=[redacted]`;
    expect(r.stderr).toBe(
      `${file}:3:3: poll.password=[redacted]: unknown setting "password=[redacted]"; expected one of: ${POLL}\n` +
        `${file}:4:3: poll.${long}: unknown setting "${long}"; expected one of: ${POLL}\n`,
    );
    expect(r.stderr).not.toContain('hunter2');
  });

  it('an ESC or a right-to-left override in a config key: shown escaped, path and message', async () => {
    const file = write('controls.yaml', `${ZOOM}poll:\n  "x\\e[2J\\u202eevil\\nnext": 1\n`);
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    // The old code printed the ESC, the U+202E and the line feed as they are.
    const shown = 'x\\u001b[2J\\u202eevil\\u000anext';
    expect(r.stderr).toBe(
      `${file}:3:3: poll.${shown}: unknown setting "${shown}"; expected one of: ${POLL}\n`,
    );
    expect(r.stderr).not.toMatch(RAW);
  });

  it('an ESC in a rule file: shown escaped too', async () => {
    const rules = write(
      'rules.yaml',
      'rules:\n  - name: r\n    metric: latency\n    when: above\n    threshold: 300ms\n    "\\e]0;pwned\\a": 1\n',
    );
    const file = write('with-rules.yaml', `${ZOOM}rules: { paths: [${rules}] }\n`);
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${rules}:6:5: rules[0].\\u001b]0;pwned\\u0007: unknown setting "\\u001b]0;pwned\\u0007"`,
    );
    expect(r.stderr).not.toMatch(RAW);
  });
});

describe('command-line text echoed in a message', () => {
  it('a usage error and a test file name: their controls and direction characters escaped', async () => {
    let r = await runCli(['inspect', '--format', 'x\u202ey', '123']);
    // The old code: `not "x\u202ey"` with the U+202E itself (JSON.stringify keeps it).
    expect(r.stderr).toBe(
      'qoswatch inspect: --format is table or json, not "x\\u202ey"; see `qoswatch inspect --help`\n',
    );
    const name = join(dir, 'x\u001bc\u202e.test.yaml');
    r = await runCli(['test-rules', name]);
    const shown = join(dir, 'x\\u001bc\\u202e.test.yaml');
    expect(r.stderr).toBe(`${shown}: no such file; expected a rule test file (.yaml)\n`);
    expect(r.stdout).toBe(`no test file found, no test run; not found: ${shown}\n`);
    expect(r.code).toBe(2);
  });

  it('a line feed or a carriage return in a test file or test name: escaped, no line forged', async () => {
    // The tester's case: the old code printed a line reading exactly `9 passed, 0 failed`.
    const forged = join(dir, 'x\n9 passed, 0 failed\r\n');
    let r = await runCli(['test-rules', forged, forged]);
    const shown = join(dir, 'x\\u000a9 passed, 0 failed\\u000d\\u000a');
    expect(r.stderr).toBe(
      `${shown}: named 2 times; run once\n${shown}: no such file; expected a rule test file (.yaml)\n`,
    );
    expect(r.stdout).toBe(`no test file found, no test run; not found: ${shown}\n`);
    // A test that fails: its name is one line of the report.
    const test = write(
      'forged.test.yaml',
      `rule_files: [${JSON.stringify(join(process.cwd(), 'rules', 'default.yaml'))}]\ntests:\n` +
        `  - name: "t\\n9 passed, 0 failed"\n    input: []\n    expect:\n` +
        `      - { at: 1m, alerts: [{ rule: audio-latency-high, state: firing }] }\n`,
    );
    r = await runCli(['test-rules', test]);
    expect(r.stdout.split('\n')).not.toContain('9 passed, 0 failed');
    expect(r.stdout).toContain(`FAIL ${test}: "t\\u000a9 passed, 0 failed" at 1m\n`);
    expect(r.stdout).toMatch(/\n0 passed, 1 failed\n$/);
  });

  it('a line feed in a file name inside a failure while running (exit 1): escaped, no line forged', async () => {
    // A state dir that cannot be made (ENAMETOOLONG), its name holding a line feed and a line
    // of its own. The old code printed that line as it is: a line reading `qoswatch run: started`.
    const stateDir = join(dir, `${'x'.repeat(300)}\nqoswatch run: started\t`);
    const file = write(
      'forged-state.yaml',
      `${ZOOM}sources: { webinars: false }\nstate: { dir: ${JSON.stringify(stateDir)} }\n`,
    );
    const r = await runCli(['run', '--config', file]);
    expect(r.code).toBe(1);
    const shown = join(dir, `${'x'.repeat(300)}\\u000aqoswatch run: started\\u0009`);
    expect(r.stderr).toBe(
      `qoswatch run: cannot start: state.dir ${shown} is not a writable directory (ENAMETOOLONG); expected one qoswatch can write\n`,
    );
  });

  it('a line feed in the install directory inside a failure before the command runs: one line', async () => {
    // The build installed under a directory whose name holds a line feed, without its
    // node_modules: `hash-password` cannot load bcryptjs, and Node's message names the directory.
    // The old code printed it as it is: a line of its own reading `qoswatch check: ok/dist/...`.
    const installed = join(dir, 'pkg\nqoswatch check: ok');
    mkdirSync(installed);
    cpSync(fromRoot('dist'), join(installed, 'dist'), { recursive: true });
    cpSync(fromRoot('package.json'), join(installed, 'package.json'));
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(installed, 'dist', 'src', 'main.js'), 'hash-password'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^qoswatch: Error \[ERR_MODULE_NOT_FOUND\]: Cannot find package 'bcryptjs' imported from \S*pkg\\u000aqoswatch check: ok\/dist\/src\/chunks\/hash-password-[\w-]+\.js\n$/,
    );
  });
});

/**
 * An unknown field in an annotation template (what the notifiers render) is said at the field's
 * own line and column inside the value, not at the value's start: in a long block template the
 * start can be lines away from the typo.
 */
describe('an unknown template field', () => {
  const EXPECTED =
    'expected a field such as {{participant}}, {{topic}} or {{value}} (docs/rules.md, Templates, lists them)';

  it('in a block template and in a quoted one with escapes: at the field', async () => {
    const rules = write(
      'template-rules.yaml',
      'rules:\n  - name: r\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    annotations:\n' +
        '      summary: |-\n        Weak Wi-Fi\n        for {{participant}} in {{topic}},\n        at {{  valeu }} dBm\n' +
        '      firing: "\\u00e9t\\u00e9: {{#topci}}in {{.}}{{/topci}}"\n',
    );
    const config = write('templates.yaml', `${ZOOM}rules: { paths: [template-rules.yaml] }\n`);
    const r = await runCli(['check', '--config', config]);
    // The old code: both at the value's start, 7:16 (the `|-`) and 11:15 (the quote).
    expect(r.stderr).toBe(
      `${rules}:10:16: rules[0].annotations.summary: unknown template field {{valeu}} (did you mean {{value}}?); ${EXPECTED}\n` +
        `${rules}:11:34: rules[0].annotations.firing: unknown template field {{topci}} (did you mean {{topic}}?); ${EXPECTED}\n`,
    );
    expect(r.code).toBe(2);
  });
});
