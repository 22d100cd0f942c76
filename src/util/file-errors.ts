import { escapeControls } from './shown-text.js';

/** One thing wrong in a file, with where it is and what was expected. */
export interface FileProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the setting, e.g. `zoom.client_id` or `rules[2].threshold`; empty for the whole file. */
  path: string;
  message: string;
}

/**
 * `file:line:col: path: message`. What of it came from the file or the command line (a key, a
 * value, a file name) is shown with its controls and direction characters escaped (`\u001b`,
 * `\u202e`): an ESC in an unknown key recoloured or cleared the terminal, a U+202E reversed the
 * rest of the line. The path is one line; a message may hold line feeds of its own.
 */
export function formatProblem(p: FileProblem): string {
  const path = p.path ? `${escapeControls(p.path, { lines: false })}: ` : '';
  return `${escapeControls(`${p.file}:${p.line}:${p.col}`, { lines: false })}: ${path}${escapeControls(p.message)}`;
}

/**
 * The most problems a message says, one a line; the rest are counted ("... and 12 more
 * problems"). A file that is not one of ours (a config symlinked to /etc/shadow: each line an
 * unknown setting) printed a line per line of it.
 */
export const MAX_PROBLEMS_SHOWN = 20;

/**
 * The problems, one a line, the first MAX_PROBLEMS_SHOWN of them and a count of the rest, those
 * `unbuilt` counted only included.
 */
function problemLines(problems: readonly FileProblem[], unbuilt: number): string {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map(formatProblem);
  const more = problems.length - shown.length + unbuilt;
  if (more > 0) shown.push(`… and ${more} more problem${more === 1 ? '' : 's'}`);
  return shown.join('\n');
}

/**
 * A config, rule or scenario file that cannot be used; `problems` says every reason found, but
 * for `unbuilt` more found past those shown that were only counted (a value of 340,000 refused
 * `\${`: each one's message built took 195 MB to show 20).
 */
export class FileInvalidError extends Error {
  readonly code = 'QW_FILE_INVALID';
  constructor(
    readonly problems: FileProblem[],
    readonly unbuilt = 0,
  ) {
    super(problemLines(problems, unbuilt));
    this.name = 'FileInvalidError';
  }
}
