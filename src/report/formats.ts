import { formatCsv, formatJson } from './format-data.js';
import { formatHtml } from './format-html.js';
import { formatMarkdown, formatTable } from './format-text.js';
import type { Report } from './types.js';

/** Every `--format` of `qoswatch report`. */
export const REPORT_FORMATS = {
  table: formatTable,
  md: formatMarkdown,
  json: formatJson,
  csv: formatCsv,
  html: formatHtml,
} satisfies Record<string, (r: Report) => string>;

export type ReportFormat = keyof typeof REPORT_FORMATS;
