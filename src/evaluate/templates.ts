import Mustache from 'mustache';
import { didYouMean } from '../util/did-you-mean.js';
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
  'instance_name',
  'kind',
  'instance_id',
  'instance_uuid',
  'stream',
  ...CONTEXT_FIELDS.map((f) => f.rule),
  'since',
  'duration',
  'threshold_value',
  'participant_possessive',
  'breaching',
  'participants',
  'breaching_participants',
  'healthy_participants',
  'participants_text',
  'meetings_text',
  'explained_by',
  'firing',
  'repeating',
  'resolved',
  'recovered',
  'gone',
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

/** The field names a (valid) template reads, sections included. */
export function templateFields(template: string): string[] {
  const out = new Set<string>();
  const walk = (list: Token[]): void => {
    for (const t of list) {
      if (['name', '&', '#', '^'].includes(t[0])) out.add(t[1].split('.')[0]!);
      if (t[4]) walk(t[4]);
    }
  };
  try {
    walk(Mustache.parse(template) as Token[]);
  } catch {
    return [];
  }
  return [...out];
}

const sections = new Map<string, Set<string>>();

/** Whether a template has a `{{#name}}` section (phase sections: firing, repeating, resolved). */
export function hasSection(template: string, name: string): boolean {
  let found = sections.get(template);
  if (!found) {
    found = new Set<string>();
    const walk = (list: Token[]): void => {
      for (const t of list) {
        if (t[0] === '#') found!.add(t[1]);
        if (t[4]) walk(t[4]);
      }
    };
    walk(Mustache.parse(template) as Token[]);
    sections.set(template, found);
  }
  return found.has(name);
}

/**
 * Renders without escaping: each notifier escapes for its own channel. Trimmed, so that a
 * template written as one section per phase on folded lines leaves no stray spaces.
 */
export function render(template: string, view: Record<string, unknown>): string {
  return Mustache.render(template, view, {}, { escape: (s: unknown) => String(s) }).trim();
}
