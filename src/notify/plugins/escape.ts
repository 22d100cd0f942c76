/**
 * Text from Zoom (participant names, topics) is untrusted: a participant named `<!channel>`
 * must ping nobody, and one named `<script>` must run nothing. Each channel escapes its own way.
 */

/** Slack mrkdwn: &, < and > are the control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export { escapeHtml } from '../../util/html.js';

/** Plain text for e-mail subjects and headers: no line breaks (header injection). */
export function oneLine(text: string, max = 200): string {
  const s = text.replace(/[\r\n\t]+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
