import { describe, expect, it } from 'vitest';
import { intOption, MAX_SPEED, numberOption, portOption, UsageError } from '../../src/cli/args.js';
import { runCli } from '../helpers/cli.js';

describe('numeric options', () => {
  it('a port out of range is a usage error naming the option, before anything starts (exit 2)', async () => {
    // demo: the simulator was up before the port was read; it printed "(demo):1:429:" and never exited.
    for (const command of ['demo', 'simulate']) {
      const r = await runCli([command, '--port', '70000']);
      expect(r.code, command).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(
        `qoswatch ${command}: --port: found 70000; expected a port from 1 to 65535, or 0 for a free one; see \`qoswatch ${command} --help\``,
      );
      expect(r.stdout).toBe('');
    }
  });

  it('ports: digits from 0 to 65535, nothing Number reads otherwise', () => {
    expect(portOption(undefined, 'port', 9781)).toBe(9781);
    expect(portOption('0', 'port', 9781)).toBe(0);
    expect(portOption('65535', 'port', 9781)).toBe(65_535);
    for (const wrong of ['65536', '70000', '', ' ', '0x50', '1e3', '-1', '80.5', 'http'])
      expect(() => portOption(wrong, 'port', 9781), wrong).toThrow(UsageError);
    expect(() => portOption('0x50', 'port', 1)).toThrow('--port: found "0x50"; expected a port');
  });

  it('whole numbers are written in digits', () => {
    expect(intOption('12', 'minutes', 0)).toBe(12);
    for (const wrong of ['', '0x10', '1e3', '-2', '1.5', '1e30'])
      expect(() => intOption(wrong, 'minutes', 0), wrong).toThrow(
        /^--minutes: .* is not a whole number; expected e\.g\. --minutes 10$/,
      );
  });

  it('a speed past 100,000 is a usage error (demo --speed 1e300 hung, printing nothing, deaf to SIGTERM)', async () => {
    for (const command of ['demo', 'simulate']) {
      // Fails on the old code: demo never exits (the test times out); simulate serves.
      const r = await runCli([command, '--speed', '1e300', '--port', '0']);
      expect(r.code, command).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(
        `qoswatch ${command}: --speed: 1e300 is not a positive number up to 100000; expected e.g. --speed ${command === 'demo' ? 60 : 1}; see \`qoswatch ${command} --help\``,
      );
    }
    expect(numberOption('100000', 'speed', 1, MAX_SPEED)).toBe(100_000);
    expect(numberOption('0.5', 'speed', 1, MAX_SPEED)).toBe(0.5);
    for (const wrong of ['0', '-1', '', ' ', 'Infinity', 'NaN', '100001'])
      expect(() => numberOption(wrong, 'speed', 1, MAX_SPEED), wrong).toThrow(UsageError);
  });
});
