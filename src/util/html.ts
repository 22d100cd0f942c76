/**
 * Text from Zoom (participant names, topics, locations) is untrusted: in HTML, a participant
 * named `<script>` or `</svg>` must run and close nothing, in text and in quoted attributes.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
