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
  ])('%j', async (args, line) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    // Fails on the old code: Node's text ("Option '-c, --config <value>' argument missing",
    // "Unknown option '--bogus'. To specify a positional argument ...") and the whole help.
    expect(r.stderr).toBe(`${line}; see \`qoswatch ${args[0]!} --help\`\n`);
    expect(r.stdout).toBe('');
  });
});
