import { dirname, resolve } from 'node:path';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Scalar,
} from 'yaml';
import { FileInvalidError, type FileProblem } from './file-errors.js';
import { hideSecretValues, SECRET_SHOWN, secretValues } from './secret-values.js';
import { ScalarOffsets } from './scalar-offset.js';
import { shownKey } from './shown-key.js';
import { FileTooBigError, NotRegularFileError, readRegularFile, tooBigText } from './regular-file.js';
import { notUtf8 } from './utf8.js';
import { syntaxMessage, unquotedVariable } from './yaml-syntax.js';
import { TOO_DEEP, tooDeepAt } from './yaml-depth.js';
import { BAD_MERGE, badMergeValue, mergeKeyOf, pairOf, WIDE_MERGE, wideMerge } from './yaml-merge.js';

/** Largest configuration file read (1 MiB), and largest rule file (4 MiB). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
export const MAX_RULE_FILE_BYTES = 4 * 1024 * 1024;

function tooBig(file: string, err: FileTooBigError): FileProblem {
  return { file, line: 1, col: 1, path: '', message: `this file ${tooBigText(err, 'a YAML file')}` };
}

/** A parsed YAML document that can say where any path in it is. */
/** Syntax errors listed before the rest are summed up in one line. */
const MAX_SYNTAX_PROBLEMS = 10;
/** The yaml package's own default: an anchor may be expanded this many times. */
const MAX_ALIAS_COUNT = 100;

export class YamlSource {
  private parsed: { doc: Document; lines: LineCounter } | undefined;
  private secrets: ReadonlySet<string> | undefined;
  /** Each scalar's offset reader, kept: a template's problems are placed in one pass (ScalarOffsets). */
  private readonly offsets = new WeakMap<Scalar, ScalarOffsets>();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  /**
   * The document, parsed at its first use: a rule file the build parsed already
   * (evaluate/shipped-rules.ts) is parsed again only when a problem must say where it is.
   */
  get doc(): Document {
    return this.parse().doc;
  }

  private get lines(): LineCounter {
    return this.parse().lines;
  }

  private parse(): { doc: Document; lines: LineCounter } {
    if (!this.parsed) {
      const lines = new LineCounter();
      // resolveKnownTags off: the YAML 1.1 tags (!!omap, !!set, !!binary, !!timestamp, !!pairs)
      // are not read as such (a !!binary became a Buffer, an !!omap of settings a Map that the
      // schema saw as an empty object); each is a warning, said by syntaxProblems at its tag.
      // merge: merge keys (`<<: *defaults`) are read, as YAML 1.1 and most tools read them.
      const doc = parseDocument(this.text, {
        lineCounter: lines,
        merge: true,
        prettyErrors: false,
        uniqueKeys: true,
        resolveKnownTags: false,
      });
      this.parsed = { doc, lines };
    }
    return this.parsed;
  }

  /**
   * Reads a file that must be UTF-8 text of at most `maxBytes`; anything else is refused without
   * echoing its content, a bigger one before it is read or parsed (a 57 MB config took 53 s and
   * 2.8 GB to parse).
   */
  static read(file: string, maxBytes = MAX_RULE_FILE_BYTES): YamlSource {
    let bytes: Buffer;
    try {
      bytes = readRegularFile(file, { maxBytes });
    } catch (err) {
      if (err instanceof FileTooBigError) throw new FileInvalidError([tooBig(file, err)]);
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT'
          ? 'file not found; expected a YAML file at this path (check the path and the folder it is relative to)'
          : code === 'EISDIR'
            ? 'a folder; expected a YAML file'
            : err instanceof NotRegularFileError
              ? `${err.kind}; expected a regular file (a YAML file)`
              : `${(err as Error).message}; expected a file qoswatch can read`;
      throw new FileInvalidError([{ file, line: 1, col: 1, path: '', message: `cannot read: ${reason}` }]);
    }
    const bad = notUtf8(bytes);
    if (bad)
      throw new FileInvalidError([
        {
          file,
          line: bad.line,
          col: bad.col,
          path: '',
          message: `not UTF-8 text: ${bad.why}; expected UTF-8 text (save it as UTF-8)`,
        },
      ]);
    return new YamlSource(file, bytes.toString('utf8'));
  }

  at(offset: number): { line: number; col: number } {
    const p = this.lines.linePos(offset);
    return { line: p.line, col: p.col };
  }

  /**
   * The node at `path`, or the deepest existing ancestor of it. A key a merge key (`<<: *d`) puts
   * in a mapping is where the file writes it: in the mapping `&d` names.
   */
  nodeAt(path: readonly (string | number)[]): { node: Node | undefined; keyNode?: Node; depth: number } {
    let node: unknown = this.doc.contents;
    let keyNode: Node | undefined;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = pairOf(this.doc, node, String(seg));
        if (!pair) break;
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        keyNode = undefined;
        node = node.items[seg];
      } else break;
      depth++;
    }
    return { node: (node ?? undefined) as Node | undefined, ...(keyNode ? { keyNode } : {}), depth };
  }

  /**
   * A problem (an error or a warning) at `path`. Every message about the file passes here, so its
   * secrets are hidden here, and only here: a value equal to a secret setting's, as an alias of it
   * (`*t` of `token: &t ...`) or a copy puts it in another setting, or equal to the content of a
   * secret file (`client_secret_file`), is said as "(not shown: a secret's value)".
   */
  problemAt(path: readonly (string | number)[], message: string, preferKey = false): FileProblem {
    const { node, keyNode } = this.nodeAt(path);
    const target = preferKey && keyNode ? keyNode : (node ?? keyNode);
    const offset = target?.range?.[0] ?? 0;
    const secrets = this.secretValues();
    const shown = message && hideSecretValues(message, secrets);
    // A key may be a pasted secret too (`poll: { <secret>: 1 }`: an unknown setting).
    const keys = path.map((k) => (typeof k !== 'string' ? k : secrets.has(k) ? SECRET_SHOWN : shownKey(k)));
    return {
      file: this.file,
      ...this.at(offset),
      path: hideSecretValues(formatPath(keys), secrets),
      message: shown,
    };
  }

  /**
   * The values of the file's secret settings (util/secret-values.ts), aliases expanded, and the
   * content of the secret files its `*_file` settings name (relative to its folder); worked out
   * at the first problem, after `${VAR}` references were expanded in the document.
   */
  secretValues(): ReadonlySet<string> {
    if (!this.secrets) {
      try {
        const data: unknown = this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
        this.secrets = secretValues(data, dirname(resolve(this.file)));
      } catch {
        // An alias bomb or an alias without its anchor: said as such; there is nothing to hide yet.
        return new Set();
      }
    }
    return this.secrets;
  }

  /**
   * A problem at the character `offset` of the string value at `path` (a template's mistake),
   * at that character's line:col where the file shows it (block scalars, `|` and `>`; plain and
   * quoted ones without escapes); else at the value, as problemAt.
   */
  problemInValue(path: readonly (string | number)[], offset: number, message: string): FileProblem {
    const problem = this.problemAt(path, message);
    const { node, depth } = this.nodeAt(path);
    if (depth !== path.length || !isScalar(node) || typeof node.value !== 'string' || !node.range)
      return problem;
    let offsets = this.offsets.get(node);
    if (!offsets) {
      offsets = new ScalarOffsets(this.text, node.value, node.type, node.range);
      this.offsets.set(node, offsets);
    }
    const at = offsets.at(offset);
    return at === undefined ? problem : { ...problem, ...this.at(at) };
  }

  /** YAML syntax errors, the first MAX_SYNTAX_PROBLEMS of them (one slip can cascade into hundreds). */
  syntaxProblems(): FileProblem[] {
    const all = [...this.doc.errors, ...this.doc.warnings];
    // Too deep: that alone is said (the overflow's other errors are its echoes).
    const deep = tooDeepAt(this.doc, all);
    if (deep !== undefined) return [{ file: this.file, ...this.at(deep), path: '', message: TOO_DEEP }];
    // An unquoted `${VAR}` in a flow collection first: its lines alone (the rest are its echoes).
    const unquoted = all.map((e) => unquotedVariable(this.text, e.pos[0]));
    if (unquoted[0] !== undefined)
      return all.flatMap((e, i) => {
        const message = unquoted[i];
        return message ? [{ file: this.file, ...this.at(e.pos[0]), path: '', message }] : [];
      });
    const shown: FileProblem[] = all.slice(0, MAX_SYNTAX_PROBLEMS).map((e) => ({
      file: this.file,
      ...this.at(e.pos[0]),
      path: '',
      message: syntaxMessage(e.code, e.message, this.text, e.pos[0]),
    }));
    const last = all[MAX_SYNTAX_PROBLEMS];
    if (last)
      shown.push({
        file: this.file,
        ...this.at(last.pos[0]),
        path: '',
        message: `and ${all.length - MAX_SYNTAX_PROBLEMS} more YAML syntax errors from here on (fix the first ones: later ones often follow from them)`,
      });
    return shown;
  }

  /**
   * The document as plain data. An alias without an anchor before it is a problem at that alias;
   * aliases that expand without bound (an alias bomb), at the first alias.
   */
  toData(): unknown {
    let data: unknown;
    try {
      data = this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      if (!/alias/i.test((err as Error).message)) throw err;
      throw new FileInvalidError([this.unresolvedAlias() ?? this.badMerge() ?? this.aliasBomb()]);
    }
    // Every message's line:col looks its key up through the merges (pairOf): bounded here.
    const wide = wideMerge(this.doc);
    if (wide)
      throw new FileInvalidError([
        { file: this.file, ...this.at(wide.range?.[0] ?? 0), path: '', message: WIDE_MERGE },
      ]);
    return data;
  }

  /** The first alias whose anchor is not set before it (`min_interval: *sixty`, no `&sixty`). */
  private unresolvedAlias(): FileProblem | undefined {
    const anchors = new Set<string>();
    let found: FileProblem | undefined;
    visit(this.doc, (_, node) => {
      if (isAlias(node)) {
        if (anchors.has(node.source)) return undefined;
        found = {
          file: this.file,
          ...this.at(node.range?.[0] ?? 0),
          path: '',
          message: `no anchor named ${node.source} before this alias; expected &${node.source} on a value earlier in the file (*${node.source} repeats that value)`,
        };
        return visit.BREAK;
      }
      if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) anchors.add(node.anchor);
      return undefined;
    });
    return found;
  }

  private badMerge(): FileProblem | undefined {
    const node = badMergeValue(this.doc);
    return node && { file: this.file, ...this.at(node.range?.[0] ?? 0), path: '', message: BAD_MERGE };
  }

  private aliasBomb(): FileProblem {
    let offset = 0;
    visit(this.doc, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    return {
      file: this.file,
      ...this.at(offset),
      path: '',
      message: `YAML aliases expand to too many values; expected each anchor to be used by at most ${MAX_ALIAS_COUNT} aliases, without nesting that multiplies them`,
    };
  }

  /**
   * Finds the key node of `name` inside the map at `path` (for "unknown key" errors); for a key a
   * merge key puts there, that `<<`.
   */
  keyOf(path: readonly (string | number)[], name: string): Node | undefined {
    const { node } = this.nodeAt(path);
    if (!isMap(node)) return undefined;
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === name);
    return (pair?.key as Node | undefined) ?? mergeKeyOf(this.doc, node, name);
  }
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
