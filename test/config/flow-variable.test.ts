import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { configErrorOf } from '../helpers/config-error.js';

/**
 * `${VAR}` unquoted inside a `{ }` or `[ ]` collection (hT45 L4): in block style it is a plain
 * value, in a flow collection its `{` opens a mapping and the yaml library says three to seven
 * "Unexpected ..." lines that never name the cause. One line per `${`, with the value quoted.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-flow-var-'));
const errorLines = (text: string): string[] => {
  const file = join(dir, 'c.yaml');
  writeFileSync(file, text);
  return configErrorOf(file, { SEC: 's3cret', X: 'x', Y: 'y' })
    .split('\n')
    .map((l) => l.slice(file.length));
};

describe('an unquoted ${VAR} in a flow collection', () => {
  it("is one line, at the tester's column, naming the key and the quoted value", () => {
    expect(errorLines('zoom: { account_id: a, client_id: c, client_secret: ${SEC} }\n')).toEqual([
      `:1:54: YAML syntax: "\${" starts a { } mapping inside a { } mapping; expected the value of client_secret quoted: '\${SEC}'`,
    ]);
  });

  // A default, or text before the reference, may be (part of) a secret: shown as "…".
  it('in the middle of a mapping, across lines, with a default, after text, in a list', () => {
    const zoom = 'zoom: { account_id: a, client_id: c, client_secret: s }\n';
    expect(errorLines(`${zoom}log: { level: \${X}, format: json }\n`)).toEqual([
      `:2:16: YAML syntax: "\${" starts a { } mapping inside a { } mapping; expected the value of level quoted: '\${X}'`,
    ]);
    expect(errorLines(`${zoom}log: {\n  level: \${X},\n  format: json\n}\n`)).toEqual([
      `:3:11: YAML syntax: "\${" starts a { } mapping inside a { } mapping; expected the value of level quoted: '\${X}'`,
    ]);
    expect(errorLines(`${zoom}log: { level: \${X:-info} }\n`)).toEqual([
      `:2:16: YAML syntax: "\${" starts a { } mapping inside a { } mapping; expected the value of level quoted: '\${X:-…}'`,
    ]);
    expect(errorLines(`${zoom}log: { level: in\${X} }\n`)).toEqual([
      `:2:18: YAML syntax: "\${" starts a { } mapping inside a { } mapping; expected the value of level quoted: '…\${X}'`,
    ]);
    expect(errorLines(`${zoom}rules: { paths: [./r, \${X}] }\n`)).toEqual([
      `:2:24: YAML syntax: "\${" starts a { } mapping inside a [ ] list; expected the value quoted: '\${X}'`,
    ]);
  });

  it('two of them: a line each, nothing else', () => {
    expect(errorLines('zoom: { account_id: ${X}, client_id: c, client_secret: ${SEC} }\n')).toEqual([
      `:1:22: YAML syntax: "\${" starts a { } mapping inside a { } mapping; expected the value of account_id quoted: '\${X}'`,
      `:1:57: YAML syntax: "\${" starts a { } mapping inside a { } mapping; expected the value of client_secret quoted: '\${SEC}'`,
    ]);
  });

  it('quoted, or in block style, it is read as the variable', () => {
    for (const text of [
      "zoom: { account_id: a, client_id: c, client_secret: '${SEC}' }\n",
      'zoom:\n  account_id: a\n  client_id: c\n  client_secret: ${SEC}\n',
    ]) {
      const file = join(dir, 'ok.yaml');
      writeFileSync(file, text);
      expect(loadConfig(file, { SEC: 's3cret' }).zoom?.clientSecret).toBe('s3cret');
    }
  });

  it('shows neither text before the reference nor its default', () => {
    const lines = errorLines(
      'zoom: { account_id: a, client_id: c, client_secret: hunter2${SEC:-pa55word} }\n',
    );
    expect(lines).toEqual([
      `:1:61: YAML syntax: "\${" starts a { } mapping inside a { } mapping; expected the value of client_secret quoted: '…\${SEC:-…}'`,
    ]);
  });

  it("shows no shell-style default nor any text that is no variable's name (rA45 F4)", () => {
    // Old code: all up to a `:` was the "name": '${SEC-Sup3rS3cretDefault}' and the others shown.
    for (const inner of ['SEC-Sup3rS3cretDefault', 'SEC=Sup3rS3cret', 'Sup3r S3cret']) {
      const lines = errorLines(`zoom: { account_id: a, client_id: c, client_secret: \${${inner}} }\n`);
      expect(lines.join('\n')).not.toMatch(/S3cret/);
      expect(lines).toEqual([
        `:1:54: YAML syntax: "\${" starts a { } mapping inside a { } mapping; expected the value of client_secret quoted: '\${…}'`,
      ]);
    }
  });

  it('other YAML errors are said as before', () => {
    // A `{` that is not after a `$`, and a `$` not before a `{`: the library's own lines.
    expect(errorLines('zoom: { account_id: a, client_id: {c }\n')).toEqual([
      ':2:1: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }; expected the items of one mapping or list indented by the same number of spaces',
    ]);
    expect(errorLines('zoom: { account_id: $, client_id: [c }\n').join('\n')).not.toContain('"${"');
  });
});
