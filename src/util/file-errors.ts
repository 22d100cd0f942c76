/** One thing wrong in a file, with where it is and what was expected. */
export interface FileProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the setting, e.g. `zoom.client_id` or `rules[2].threshold`; empty for the whole file. */
  path: string;
  message: string;
}

export function formatProblem(p: FileProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.path ? p.path + ': ' : ''}${p.message}`;
}

/**
 * The most problems a message says, one a line; the rest are counted ("... and 12 more
 * problems"). A file that is not one of ours (a config symlinked to /etc/shadow: each line an
 * unknown setting) printed a line per line of it.
 */
export const MAX_PROBLEMS_SHOWN = 20;

/** The problems, one a line, the first MAX_PROBLEMS_SHOWN of them and a count of the rest. */
function problemLines(problems: readonly FileProblem[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map(formatProblem);
  const more = problems.length - shown.length;
  if (more > 0) shown.push(`… and ${more} more problem${more === 1 ? '' : 's'}`);
  return shown.join('\n');
}

/** A config, rule or scenario file that cannot be used; `problems` says every reason found. */
export class FileInvalidError extends Error {
  readonly code = 'QW_FILE_INVALID';
  constructor(readonly problems: FileProblem[]) {
    super(problemLines(problems));
    this.name = 'FileInvalidError';
  }
}
