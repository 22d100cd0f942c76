import Mustache from 'mustache';
import { didYouMean } from '../config/did-you-mean.js';
import { CONTEXT_FIELDS } from '../normalize/catalog.js';

/** The fields an annotation template can use (every context field of the catalog among them); documented in docs/rules.md. */
export const TEMPLATE_FIELDS: readonly string[] = [
  'rule',
  'description',
  'severity',
  'scope',
  'state',
  'value',
  'threshold',
  'participant',
  'participant_key',
  'topic',
  'kind',
  'instance_id',
  'stream',
  ...CONTEXT_FIELDS.map((f) => f.rule),
  'since',
  'breaching',
  'participants',
  'group',
  'group_by',
  'reason',
  'labels',
];

type Token = [string, string, number, number, Token[]?];

/** Problems in a template: syntax, or names that are not fields (with a did-you-mean). */
export function checkTemplate(template: string): string[] {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(template) as Token[];
  } catch (err) {
    return [`template syntax: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  const walk = (list: Token[]): void => {
    for (const t of list) {
      if (['name', '&', '#', '^'].includes(t[0])) {
        const root = t[1].split('.')[0]!;
        if (root !== '.' && !TEMPLATE_FIELDS.includes(root)) {
          const hint = didYouMean(root, TEMPLATE_FIELDS);
          problems.push(`unknown template field {{${t[1]}}}${hint ? `; did you mean {{${hint}}}?` : ''}`);
        }
      }
      if (t[4]) walk(t[4]);
    }
  };
  walk(tokens);
  return problems;
}

/** Renders without escaping: each notifier escapes for its own channel. */
export function render(template: string, view: Record<string, unknown>): string {
  return Mustache.render(template, view, {}, { escape: (s: unknown) => String(s) });
}
