import Mustache from 'mustache';
import { didYouMean } from '../util/did-you-mean.js';
import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import { templateSyntaxProblem, type TemplateSyntaxProblem } from './template-syntax.js';

/** The fields an annotation template can use (every context field of the catalog among them); documented in docs/rules.md. */
export const TEMPLATE_FIELDS: readonly string[] = [
  'rule',
  'description',
  'severity',
  'scope',
  'state',
  'value',
  'threshold',
  'worst',
  'worst_at',
  'worst_earlier',
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
  'recovering',
  'gone',
  'group',
  'group_by',
  'reason',
  'labels',
];

type Token = [string, string, number, number, Token[]?];

/** Where in `template` the name of the tag `t` starts (`participnt` in `{{ participnt }}`), not its `{{`. */
function nameOffset(template: string, t: Token): number {
  const at = template.slice(t[2], t[3]).indexOf(t[1]);
  return at < 0 ? t[2] : t[2] + at;
}

/**
 * Problems in a template: syntax, or names that are not fields (with a did-you-mean). Each comes
 * with the offset in the template it is about where there is one: a syntax problem's tag, an
 * unknown field's own name (it was said at the value's start, however far in the field was).
 */
export function checkTemplate(template: string): TemplateSyntaxProblem[] {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(template) as Token[];
  } catch (err) {
    const p = templateSyntaxProblem(template, (err as Error).message);
    return [{ ...p, message: `template syntax: ${p.message}` }];
  }
  const problems: TemplateSyntaxProblem[] = [];
  const walk = (list: Token[], inSection: boolean): void => {
    for (const t of list) {
      if (t[1] === '.' && ['name', '&'].includes(t[0])) {
        // {{.}} is the value of the section it is in ({{#topic}}in "{{.}}"{{/topic}}); outside
        // any section it would be the whole alert, rendered as [object Object].
        if (!inSection)
          problems.push({
            message:
              '{{.}} outside a section; expected it inside one, such as {{#topic}}in "{{.}}"{{/topic}}',
            offset: nameOffset(template, t),
          });
      } else if (['name', '&', '#', '^'].includes(t[0])) {
        const root = t[1].split('.')[0]!;
        if (!TEMPLATE_FIELDS.includes(root)) {
          const hint = didYouMean(root, TEMPLATE_FIELDS);
          problems.push({
            message: `unknown template field {{${t[1]}}}${hint ? ` (did you mean {{${hint}}}?)` : ''}; expected a field such as {{participant}}, {{topic}} or {{value}} (docs/rules.md, Templates, lists them)`,
            offset: nameOffset(template, t),
          });
        }
      }
      if (t[4]) walk(t[4], inSection || t[0] === '#');
    }
  };
  walk(tokens, false);
  return problems;
}

/** The field names a (valid) template reads, sections included. */
export function templateFields(template: string): string[] {
  const out = new Set<string>();
  const walk = (list: Token[]): void => {
    for (const t of list) {
      if (t[1] !== '.' && ['name', '&', '#', '^'].includes(t[0])) out.add(t[1].split('.')[0]!);
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

/**
 * The fields a (valid) template prints outside a `{{#field}}` or `{{^field}}` section of their
 * own: where a missing value would leave a gap. `{{#client_version}} Client
 * {{client_version}}.{{/client_version}}` handles its absence, so client_version is not among them.
 */
export function unguardedFields(template: string): Set<string> {
  const out = new Set<string>();
  const walk = (list: Token[], guards: ReadonlySet<string>): void => {
    for (const t of list) {
      const name = t[1] === '.' ? undefined : t[1].split('.')[0]!;
      if (name && (t[0] === 'name' || t[0] === '&') && !guards.has(name)) out.add(name);
      if (t[4]) walk(t[4], name && (t[0] === '#' || t[0] === '^') ? new Set([...guards, name]) : guards);
    }
  };
  try {
    walk(Mustache.parse(template) as Token[], new Set());
  } catch {
    return out;
  }
  return out;
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

/** A template compiled once: renders a view as `render` would (see compileTemplate). */
export type Compiled = (view: Record<string, unknown>) => string;

/** Mustache's context stack: a section pushes its value. */
interface Frame {
  view: unknown;
  parent: Frame | undefined;
}
type Part = (f: Frame) => string;

/** Thrown on a value Mustache would call (a function): that render falls back to Mustache itself. */
class FunctionValue extends Error {}
const CALLED = new FunctionValue('a template value is a function');

const has = (o: unknown, name: string): boolean => o != null && typeof o === 'object' && name in o;
const primitiveHas = (o: unknown, name: string): boolean =>
  o != null && typeof o !== 'object' && Object.prototype.hasOwnProperty.call(o, name);

/** Mustache 4's Context.lookup: the nearest frame that has the name (a dotted path descends). */
function lookup(frame: Frame, name: string, path: readonly string[] | undefined): unknown {
  if (name === '.') return frame.view;
  for (let f: Frame | undefined = frame; f; f = f.parent) {
    let value: unknown;
    let hit = false;
    if (path) {
      value = f.view;
      for (let i = 0; value != null && i < path.length; i++) {
        if (i === path.length - 1) hit = has(value, path[i]!) || primitiveHas(value, path[i]!);
        value = (value as Record<string, unknown>)[path[i]!];
      }
    } else {
      const view = f.view as Record<string, unknown> | null | undefined;
      value = view?.[name];
      // An object's value that is not undefined is there (`in` would say so): one lookup, not two.
      hit = value !== undefined && typeof view === 'object' ? true : has(view, name);
    }
    if (hit) {
      if (typeof value === 'function') throw CALLED;
      return value;
    }
  }
  return undefined;
}

function compileTokens(tokens: readonly Token[]): Part {
  const parts = tokens.map(compileToken).filter((p): p is Part => p !== undefined);
  if (parts.length === 1) return parts[0]!;
  return (f) => {
    let out = '';
    for (let i = 0; i < parts.length; i++) out += parts[i]!(f);
    return out;
  };
}

/** One token as Mustache 4's Writer renders it (partials are never compiled: see compileTemplate). */
function compileToken(t: Token): Part | undefined {
  const [type, name] = t;
  if (type === 'text') return () => name;
  const path = name.indexOf('.') > 0 ? name.split('.') : undefined;
  const find = (f: Frame): unknown => lookup(f, name, path);
  // Escaped or not, a value reads as String() gives it: render's `escape` leaves it as it is.
  if (type === 'name' || type === '&')
    return (f) => {
      const v = find(f);
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- as Mustache writes it ([object Object])
      return v != null ? String(v) : '';
    };
  if (type === '^') {
    const inner = compileTokens(t[4] ?? []);
    return (f) => {
      const v = find(f);
      return !v || (Array.isArray(v) && v.length === 0) ? inner(f) : '';
    };
  }
  if (type === '#') {
    const inner = compileTokens(t[4] ?? []);
    return (f) => {
      const v = find(f);
      if (!v) return '';
      if (Array.isArray(v)) {
        let out = '';
        for (const item of v as unknown[]) out += inner({ view: item, parent: f });
        return out;
      }
      if (typeof v === 'object' || typeof v === 'string' || typeof v === 'number')
        return inner({ view: v, parent: f });
      return inner(f);
    };
  }
  return undefined; // comments and delimiter changes render nothing
}

const compiled = new Map<string, Compiled>();

/**
 * A template compiled once into closures that render exactly as Mustache 4 does, without
 * escaping (each notifier escapes for its own channel) and trimmed (a template written as one
 * section per phase on folded lines leaves no stray spaces), without Mustache's per-render
 * cache key and lookups. A template with a partial, or a render that meets a function value, is
 * left to Mustache.
 */
export function compileTemplate(template: string): Compiled {
  let c = compiled.get(template);
  if (c) return c;
  const tokens = Mustache.parse(template) as Token[];
  const partial = (list: readonly Token[]): boolean =>
    list.some((t) => t[0] === '>' || (t[4] && partial(t[4])));
  const slow: Compiled = (view) => mustacheRender(template, view);
  if (partial(tokens)) c = slow;
  else {
    const root = compileTokens(tokens);
    c = (view) => {
      try {
        return root({ view, parent: undefined }).trim();
      } catch (err) {
        if (err === CALLED) return slow(view);
        throw err;
      }
    };
  }
  compiled.set(template, c);
  return c;
}

const mustacheRender = (template: string, view: Record<string, unknown>): string =>
  Mustache.render(template, view, {}, { escape: (s: unknown) => String(s) }).trim();
