import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * A usage mistake is one line in qoswatch's words (what is wrong; what is expected) and where the
 * help is, exit 2; not Node's parser text followed by the whole help.
 */
describe('usage errors', () => {
  it.each([
    [['run', '--config'], 'qoswatch run: --config needs a value; expected --config FILE'],
    [['run', '-c'], 'qoswatch run: --config needs a value; expected --config FILE'],
    [
      ['run', '--config', 'x.yaml', '--bogus'],
      'qoswatch run: unknown option --bogus; expected one of --config, --dry-run',
    ],
    [
      ['demo', '--minutes', '-1'],
      'qoswatch demo: --minutes: -1 is not a positive whole number; expected e.g. --minutes 5',
    ],
    [
      ['demo', '--minutes', '0'],
      'qoswatch demo: --minutes: 0 is not a positive whole number; expected e.g. --minutes 5',
    ],
    [
      ['demo', '--speed', 'fast'],
      'qoswatch demo: --speed: fast is not a positive number up to 100000; expected e.g. --speed 60',
    ],
    [
      ['demo', '--scenario', '-x'],
      'qoswatch demo: --scenario: found -x, which reads as an option; expected a value (write --scenario=-x if it is one)',
    ],
    [['run', '--dry-run=yes'], 'qoswatch run: --dry-run takes no value; expected --dry-run alone'],
    // Refused, where they were silently ignored (the first two) or the last one taken (the rest).
    [
      ['run', 'config.yaml'],
      'qoswatch run: unexpected argument "config.yaml"; expected options only (--config, --dry-run); for a config file write --config config.yaml',
    ],
    [
      ['check', '--config', 'a.yaml', 'extra', 'more'],
      'qoswatch check: unexpected argument "extra"; expected options only (--config)',
    ],
    [
      ['check', '--config', 'a.yaml', '-c', 'b.yaml'],
      'qoswatch check: --config given twice ("a.yaml", "b.yaml"); expected it once',
    ],
    [
      ['run', '-c', 'a.yaml', '--config=b.yaml', '--config', 'c.yaml'],
      'qoswatch run: --config given 3 times ("a.yaml", "b.yaml", "c.yaml"); expected it once',
    ],
    [
      ['report', '--format', 'json', '--format', 'csv', '123'],
      'qoswatch report: --format given twice ("json", "csv"); expected it once',
    ],
    // It said "expected one of (none)".
    [
      ['test-rules', '--bogus', 'a.test.yaml'],
      'qoswatch test-rules: unknown option --bogus; expected test files only; this command takes no options (but --help)',
    ],
    [['check', '--\u001b[2Jx'], 'qoswatch check: unknown option --\\u001b[2Jx; expected one of --config'],
  ])('%j', async (args, line) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    // Fails on the old code: Node's text ("Option '-c, --config <value>' argument missing",
    // "Unknown option '--bogus'. To specify a positional argument ...") and the whole help.
    expect(r.stderr).toBe(`${line}; see \`qoswatch ${args[0]!} --help\`\n`);
    expect(r.stdout).toBe('');
  });
});

describe('an unknown command', () => {
  it.each([
    ['chek', 'qoswatch: unknown command "chek"; did you mean "check"?'],
    ['tset-rules', 'qoswatch: unknown command "tset-rules"; did you mean "test-rules"?'],
    ['RUN', 'qoswatch: unknown command "RUN"; did you mean "run"?'],
    [
      'frobnicate',
      'qoswatch: unknown command "frobnicate"; expected one of run, once, check, report, inspect, routes, notify-test, test-rules, hash-password, healthcheck, demo, simulate',
    ],
    // Echoed escaped: an ESC or a right-to-left override would act on the terminal.
    [
      '\u001b[31mred\u202e',
      'qoswatch: unknown command "\\u001b[31mred\\u202e"; expected one of run, once, check, report, inspect, routes, notify-test, test-rules, hash-password, healthcheck, demo, simulate',
    ],
  ])('%j is one line with the closest command, exit 2', async (name, line) => {
    const r = await runCli([name, '--config', 'x.yaml']);
    // Fails on the old code: `unknown command "chek"`, no hint, then the whole help.
    expect(r.stderr).toBe(`${line}; see \`qoswatch --help\`\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('hash-password given an argument', () => {
  it('refuses it without echoing it: it may be the password', async () => {
    const r = await runCli(['hash-password', 'hunter2hunter2']);
    // The old code ignored it and waited for standard input (here closed: "no password").
    expect(r.stderr).toBe(
      'qoswatch hash-password: takes no arguments (not shown: one may be the password); expected the password on standard input, as in `qoswatch hash-password < password.txt`; see `qoswatch hash-password --help`\n',
    );
    expect(r.code).toBe(2);
  });
});

describe('an option before the command, a mistyped option, a very long argument (tester hT41b LOW)', () => {
  const COMMANDS =
    'run, once, check, report, inspect, routes, notify-test, test-rules, hash-password, healthcheck, demo, simulate';
  it.each([
    // The old code: `unknown command "--config"; expected one of run, ...`: no word of the order.
    [
      ['--config', 'x.yaml', 'run'],
      'qoswatch: unknown command "--config": the command comes first, then its options; write `qoswatch run --config …`; see `qoswatch --help`',
    ],
    [
      ['--config', 'x.yaml'],
      `qoswatch: unknown command "--config": the command comes first, then its options; expected one of ${COMMANDS} first; see \`qoswatch --help\``,
    ],
    // The old code: "expected one of --config, --dry-run", no hint.
    [
      ['run', '--conifg', 'x.yaml'],
      'qoswatch run: unknown option --conifg; did you mean --config?; see `qoswatch run --help`',
    ],
    // The old code echoed all 100,000 characters.
    [
      ['check', '-c', 'x.yaml', 'y'.repeat(100_000)],
      `qoswatch check: unexpected argument "${'y'.repeat(80)}…"; expected options only (--config); see \`qoswatch check --help\``,
    ],
    [
      ['check', `--${'z'.repeat(100_000)}`],
      `qoswatch check: unknown option --${'z'.repeat(78)}…; expected one of --config; see \`qoswatch check --help\``,
    ],
    [
      ['z'.repeat(100_000)],
      `qoswatch: unknown command "${'z'.repeat(80)}…"; expected one of ${COMMANDS}; see \`qoswatch --help\``,
    ],
  ])('%#: one line that says it, exit 2', async (args, line) => {
    const r = await runCli(args);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
