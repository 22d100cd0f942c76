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
