import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/evaluate/templates.js';
import { seeded } from '../helpers/storm.js';

/** What annotations rendered with before templates were compiled: Mustache itself, unescaped, trimmed. */
const mustache = (template: string, view: Record<string, unknown>): string =>
  Mustache.render(template, view, {}, { escape: (s: unknown) => String(s) }).trim();

const view: Record<string, unknown> = {
  participant: 'Ann',
  empty: '',
  zero: 0,
  three: 3,
  yes: true,
  no: false,
  labels: { alertname: 'audio-loss-high', severity: 'warning', participant: 'u1' },
  missing: undefined,
  nothing: null,
};

const cases = [
  '{{participant}}',
  '  {{participant}} \n',
  '{{#participant}}[{{.}}|{{participant}}]{{/participant}}',
  '{{^empty}}none{{/empty}}{{#empty}}some{{/empty}}',
  '{{#zero}}Z{{/zero}}{{^zero}}not zero{{/zero}}{{zero}}',
  '{{#three}}{{.}} {{three}}{{/three}}',
  '{{#yes}}Y {{participant}}{{/yes}}{{^no}}N{{/no}}{{yes}}{{no}}',
  '{{#labels}}{{severity}}/{{alertname}}/{{participant}}/{{.}}{{/labels}}',
  '{{labels.severity}}|{{labels.nope}}|{{participant.length}}|{{labels.alertname.length}}',
  '{{{participant}}}{{&three}}{{&labels}}',
  '{{.}}',
  '{{missing}}{{nothing}}{{#missing}}m{{/missing}}{{^nothing}}n{{/nothing}}{{unknown}}',
  '{{! a comment }}{{=<% %>=}}<% participant %><%={{ }}=%>{{three}}',
  '{{#labels}}{{#severity}}{{.}}{{/severity}}{{/labels}}',
  '{{#participant}}{{#labels}}{{participant}}{{/labels}}{{/participant}}',
  '{{#labels}}{{labels.severity}}{{/labels}}',
  '{{labels.constructor}}',
  '{{>partial}}after',
];

/** A random template over the view's names: text, values, sections and inverted sections nested. */
function randomTemplate(rnd: () => number, depth = 0): string {
  const names = [...Object.keys(view), '.', 'labels.severity', 'participant.length', 'unknown'];
  let out = '';
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const name = names[Math.floor(rnd() * names.length)]!;
    const r = rnd();
    if (r < 0.3) out += [' ', 'text ', '\n', '. '][Math.floor(rnd() * 4)]!;
    else if (r < 0.6) out += `{{${name}}}`;
    else if (r < 0.7) out += `{{{${name}}}}`;
    else if (depth < 3 && name !== '.') {
      const sigil = r < 0.85 ? '#' : '^';
      out += `{{${sigil}${name}}}${randomTemplate(rnd, depth + 1)}{{/${name}}}`;
    }
  }
  return out;
}

describe('compiled annotation templates', () => {
  it.each(cases)('render %j exactly as Mustache does', (template) => {
    expect(compileTemplate(template)(view)).toBe(mustache(template, view));
  });

  it('render random templates exactly as Mustache does (fixed seed)', () => {
    const rnd = seeded(16);
    for (let i = 0; i < 2000; i++) {
      const template = randomTemplate(rnd);
      expect(compileTemplate(template)(view), template).toBe(mustache(template, view));
    }
  });

  it('are compiled once per template text', () => {
    expect(compileTemplate('{{participant}}!')).toBe(compileTemplate('{{participant}}!'));
  });
});
