import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/evaluate/load-rules.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-template-syntax-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = `rules:
  - name: a
    metric: latency
    streams: [any_audio]
    when: above
    threshold: 300ms
    annotations:
`;

/** The problems of a rule file whose rule has these annotations (lines 8 on). */
function problems(name: string, annotations: string): string[] {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, HEAD + annotations);
  try {
    loadRules([file]);
  } catch (err) {
    return (err as Error).message.split('\n').map((l) => l.slice(file.length));
  }
  return [];
}

describe('a template syntax error is said at its line:col in the file, with what is expected', () => {
  it("in a folded scalar: at the wrong tag, not at the '>' with an offset into the folded text", () => {
    // The old code: ":8:16: ... template syntax: Unclosed section "firing" at 22".
    expect(
      problems('folded', '      summary: >-\n        line one\n        {{#firing}}x {{/resolved}}\n'),
    ).toEqual([
      ':10:22: rules[0].annotations.summary: template syntax: {{/resolved}} where {{#firing}} is open; expected {{/firing}} first (sections close in the reverse order they open)',
    ]);
  });

  it("in a literal scalar, a double-quoted one, a single-quoted one with an escaped '' on the way and a plain one", () => {
    expect(
      problems(
        'kinds',
        `      summary: |
        line one
          {{#firing}}x
        more
      description: "a {{#firing}} b"
      lit: 'it''s {{/gone}}'
      plain: a {{#x
`,
      ),
    ).toEqual([
      ':10:11: rules[0].annotations.summary: template syntax: {{#firing}} is never closed; expected {{/firing}} after it',
      ':12:23: rules[0].annotations.description: template syntax: {{#firing}} is never closed; expected {{/firing}} after it',
      // At the tag: the old code said the value's start (13:12), as an escape was on the way.
      ':13:19: rules[0].annotations.lit: template syntax: {{/gone}} closes no open section; expected {{#gone}} before it, or no {{/gone}}',
      ':14:16: rules[0].annotations.plain: template syntax: {{ without its }}; expected }} to end the tag',
    ]);
  });
});
