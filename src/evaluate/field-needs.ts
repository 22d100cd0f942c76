import { APPEARANCE_TEXT, liveSource, type FieldDef } from '../normalize/catalog.js';
import { SOURCE_KINDS, type SourceKind } from '../normalize/sample.js';
import type { CompiledRule } from './rule-types.js';

/**
 * What the loaded rules need from Zoom beyond the QoS answers: the context fields that only the
 * meeting and webinar participants list gives (role, audio_quality, ...). The poll reads the list
 * for them only while a rule (or `poll.list_fields`) uses one (docs/polling.md).
 */

const KIND_TEXT: Record<SourceKind, string> = {
  meeting: 'meetings',
  webinar: 'webinars',
  session: 'Video SDK sessions',
};
const kindsText = (kinds: readonly SourceKind[]): string => kinds.map((k) => KIND_TEXT[k]).join(' and ');

/**
 * Why none of the kinds a rule applies to ever gives this field (a rule problem), or undefined
 * when one does.
 */
export function unprovided(f: FieldDef, sources: ReadonlySet<SourceKind>): string | undefined {
  const kinds = SOURCE_KINDS.filter((k) => sources.has(k));
  if (kinds.some((k) => liveSource(f, k))) return undefined;
  const where = f.appears.map((a) => APPEARANCE_TEXT[a]).join(', ');
  const givers = SOURCE_KINDS.filter((k) => liveSource(f, k));
  return givers.length
    ? `"${f.rule}" has no value for ${kindsText(kinds)} (Zoom gives it only in: ${where}); expected sources that include ${givers.join(' or ')}, or a field ${kindsText(kinds)} carry`
    : `"${f.rule}" has no value in any answer qoswatch polls (Zoom gives it only in: ${where}); expected another field`;
}

/** One use of a list-only field by a rule: which kinds of instance it makes qoswatch read the list of. */
export interface ListNeed {
  rule: string;
  field: FieldDef;
  as: 'filter' | 'group_by' | 'template';
  at: string;
  kinds: SourceKind[];
}

/** The uses of list-only fields by these rules, for the kinds qoswatch polls. */
export function listNeeds(rules: readonly CompiledRule[], polled: ReadonlySet<SourceKind>): ListNeed[] {
  const out: ListNeed[] = [];
  for (const r of rules)
    for (const u of r.contextUses) {
      const kinds = SOURCE_KINDS.filter(
        (k) => polled.has(k) && r.sources.has(k) && liveSource(u.field, k) === 'list',
      );
      if (kinds.length) out.push({ rule: r.name, field: u.field, as: u.as, at: u.at, kinds });
    }
  return out;
}

/** The list-only fields the rules need for one kind, each once. */
export function listFieldsFor(rules: readonly CompiledRule[], kind: SourceKind): FieldDef[] {
  return [...new Set(listNeeds(rules, new Set([kind])).map((n) => n.field))];
}

/** What a field no polled source gives does to each kind of use. */
const EFFECT: Record<ListNeed['as'], string> = {
  filter: 'its filter never matches',
  group_by: 'its group_by has no value to group on',
  template: 'its template leaves it empty',
};

/**
 * Uses of fields that none of the kinds this configuration polls gives for that rule (valid
 * rules, e.g. a role filter while only Video SDK sessions are polled): they never match. A
 * template that prints the field only inside its own section (`{{#client_version}}...`) already
 * handles the absence and is not warned of.
 */
export function unpolledUses(
  rules: readonly CompiledRule[],
  polled: ReadonlySet<SourceKind>,
): { at: string; message: string }[] {
  const out: { at: string; message: string }[] = [];
  for (const r of rules)
    for (const u of r.contextUses) {
      const kinds = SOURCE_KINDS.filter((k) => polled.has(k) && r.sources.has(k));
      if (u.guarded || kinds.some((k) => liveSource(u.field, k))) continue;
      out.push({
        at: u.at,
        message: `rule "${r.name}" reads "${u.field.rule}", which ${kinds.length ? `${kindsText(kinds)} never give` : 'no source this configuration polls gives'}: ${EFFECT[u.as]}`,
      });
    }
  return out;
}
