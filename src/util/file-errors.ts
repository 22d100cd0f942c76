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

/** A config, rule or scenario file that cannot be used; `problems` says every reason found. */
export class FileInvalidError extends Error {
  readonly code = 'QW_FILE_INVALID';
  constructor(readonly problems: FileProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'FileInvalidError';
  }
}
