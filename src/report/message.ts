import { formatHtml } from './format-html.js';
import type { ParticipantReport, Report } from './types.js';
import { plural, shareOf } from '../util/words.js';
import { onOneLine } from '../normalize/zoom-text.js';
import { human, shortTopic, shortWho } from './values.js';

/** What a breach was about, from its rule's name: "audio", "video", "screen share" or "quality". */
function about(rule: string): string {
  if (/audio/i.test(rule)) return 'audio';
  if (/video/i.test(rule)) return 'video';
  if (/share|_as_|\bas\b/i.test(rule)) return 'screen share';
  if (/cpu/i.test(rule)) return 'CPU';
  return 'quality';
}

const worstBreach = (p: ParticipantReport): ParticipantReport['breaches'][number] | undefined =>
  [...p.breaches].sort((a, b) => b.minutes - a.minutes)[0];

/**
 * The one line a message after a call leads with:
 * "Weekly sync ended: 2 of 12 participants had poor audio for 9 min; worst: Bob, Wifi, 473 ms".
 */
export function messageHeadline(r: Report): string {
  const name = shortTopic(r.instance);
  const n = r.participants.length;
  const bad = r.participants.filter((p) => p.breaches.length);
  const instanceAlerts = r.alerts.length ? `; ${r.alerts.length} instance-wide alert(s)` : '';
  if (!bad.length)
    return human(
      `${name} ended: no participant breached a rule (${plural(n, 'participant')})${instanceAlerts}`,
    );
  const worst = bad[0]!;
  const b = worstBreach(worst)!;
  const what = [...new Set(bad.flatMap((p) => p.breaches.map((x) => about(x.rule))))];
  const minutes = Math.max(...bad.map((p) => worstBreach(p)!.minutes));
  const where = [worst.context.networkType, b.worst].filter(Boolean).join(', ');
  // One line whatever Zoom sent (a network type with a line feed).
  return human(
    onOneLine(
      `${name} ended: ${shareOf(bad.length, n)} had poor ${what.join(' and ')} for up to ${minutes} min; ` +
        `worst: ${shortWho(worst)}${where ? `, ${where}` : ''}${instanceAlerts}`,
    ),
  );
}

/** Alerts in a report: each participant's and the instance-wide ones. */
export const reportAlerts = (r: Report): number =>
  r.alerts.length + r.participants.reduce((n, p) => n + p.alerts.length, 0);

/** The file a message carries and /reports/<id> serves: the self-contained HTML report. */
export function reportAttachment(
  r: Report,
  id: string,
): { filename: string; contentType: string; content: string } {
  return { filename: `${id}.html`, contentType: 'text/html; charset=utf-8', content: formatHtml(r) };
}
