/** Longest key named in a message. */
const KEY_MAX = 60;

/** What is expected instead, by the yaml library's error code; a code not here gets the general hint. */
const EXPECTED: Record<string, string> = {
  BAD_INDENT: 'the items of one mapping or list indented by the same number of spaces',
  TAB_AS_INDENT: 'spaces for indentation (YAML takes no tabs there)',
  MISSING_CHAR: 'the closing quote or bracket, or a ":" after a key',
  MULTILINE_IMPLICIT_KEY:
    'a key on one line, followed by ":" (an unclosed quote or bracket above often causes this)',
  BLOCK_AS_IMPLICIT_KEY: 'a key on one line, followed by ":"',
  BAD_DQ_ESCAPE: 'a known escape in double quotes (\\\\, \\", \\n, \\t, \\uXXXX), or single quotes',
  BAD_SCALAR_START:
    'a value that starts with a letter, digit or quote (quote values starting with @, ` or %)',
  MULTIPLE_DOCS: 'one YAML document (no second "---")',
  BAD_ALIAS: 'an alias (*name) of an anchor (&name) defined above',
};
const GENERAL = 'valid YAML here (check the indentation, quotes and brackets around this line)';

/** The key that starts at `offset` of `text`, as written (cut when long). */
function keyAt(text: string, offset: number): string {
  const key =
    /^("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^:\n,{}]*?)\s*:/.exec(text.slice(offset, offset + 500))?.[1] ?? '';
  return key.length > KEY_MAX ? `${key.slice(0, KEY_MAX - 1)}…` : key;
}

/**
 * A YAML syntax error as qoswatch says it: what is wrong, the key when one is at fault, and what is
 * expected. `text` is the file's text, `offset` where the error is, `code` and `message` the yaml
 * library's.
 */
export function syntaxMessage(code: string, message: string, text: string, offset: number): string {
  if (code === 'DUPLICATE_KEY') {
    const key = keyAt(text, offset);
    return `YAML syntax: the key ${key ? `"${key.replace(/^["']|["']$/g, '')}" ` : ''}appears twice in this mapping; expected each key once (remove or merge one of them)`;
  }
  if (code === 'TAG_RESOLVE_FAILED') return tagMessage(message);
  return `YAML syntax: ${message.split('\n')[0]}; expected ${EXPECTED[code] ?? GENERAL}`;
}

/** The core schema's own tags: one of them on a value it does not fit (`!!float abc`). */
const CORE_TAGS = ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'];

/** A tag the yaml library could not resolve ("Unresolved tag: tag:yaml.org,2002:omap"), as written. */
function tagMessage(message: string): string {
  const full = /Unresolved tag: (\S+)/.exec(message)?.[1] ?? '';
  const tag = full.replace(/^tag:yaml\.org,2002:/, '!!').slice(0, KEY_MAX);
  const expected =
    'the value without a tag (qoswatch files take plain mappings, lists, text, numbers and true/false)';
  if (CORE_TAGS.includes(tag.slice(2)))
    return `YAML tag ${tag} does not fit this value; expected ${expected}`;
  return `YAML tags such as ${tag || 'this one'} are not supported; expected ${expected}`;
}

/**
 * The message for a syntax error at the `{` of a `${VAR}` written unquoted inside a flow
 * collection (`{ client_secret: ${SEC} }`), else undefined. In block style `${SEC}` is a plain
 * value; in a `{ }` or `[ ]` collection `{` is a bracket, so the yaml library reads a mapping
 * opening there and says three to seven "Unexpected ..." lines, none naming the cause (hT45 L4).
 * Only a `{` right after a `$` is taken: in block style that `{` is part of the value and never
 * an error, so an error there is in a flow collection.
 */
/** A variable's name at a text's start, as yaml-env.ts NAME_AT reads it after `${` (it imports this file's readers). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function unquotedVariable(text: string, offset: number): string | undefined {
  if (text[offset] !== '{' || text[offset - 1] !== '$') return undefined;
  const before = text.slice(0, offset - 1);
  // The value as written: from after the `:`, `,` or bracket before it to the `}` closing `${`.
  const start = before.search(/[^\s,[\]{}:]*$/);
  const close = text.indexOf('}', offset);
  if (close < 0 || /[\n,[\]{]/.test(text.slice(offset + 1, close))) return undefined;
  // The reference's name alone (a variable's name as yaml-env.ts reads it): text before it or
  // a default may be (part of) a secret, and nothing is known yet to hide it by. Anything else
  // between `${` and `}` (a shell's `${SEC-default}`, `${a secret}`) is shown as `…` whole
  // (rA45 F4: all up to a `:` was taken as the name, and `${SEC-Sup3rS3cret}` shown).
  const name = ENV_NAME.exec(text.slice(offset + 1, close))?.[0] ?? '';
  const rest = text.slice(offset + 1 + name.length, close);
  const shown = !rest ? name : rest.startsWith(':-') && name ? `${name}:-…` : '…';
  const quoted = `'${start < offset - 1 ? '…' : ''}\${${shown}}'`;
  const key = /([^\s,[\]{}]+)\s*:\s*$/.exec(before.slice(0, start))?.[1];
  const whose = key ? ` of ${key.slice(0, KEY_MAX)}` : '';
  return `YAML syntax: "\${" starts a { } mapping inside a ${innermost(before)}; expected the value${whose} quoted: ${quoted}`;
}

/** The flow collection a position is in, from the nearest bracket left open before it. */
function innermost(before: string): string {
  let depth = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const c = before[i];
    if (c === '}' || c === ']') depth++;
    else if (c === '{' || c === '[') {
      if (depth === 0) return c === '{' ? '{ } mapping' : '[ ] list';
      depth--;
    }
  }
  return '{ } mapping or [ ] list';
}
