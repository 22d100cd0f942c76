/**
 * How an alert's worst reads beside its value. A participant's worst is written as its value is
 * (`500 ms`); a group's is the share breaching at worst (`57% of participants`), its value the
 * count now with its share in brackets (`2 of 7 participants (29%)`).
 */
const GROUP_WORST = ' of participants';

/** A group's worst in words: the share breaching at worst, as its value writes its share. */
export const groupWorstText = (share: string): string => `${share}${GROUP_WORST}`;

/**
 * Whether the worst reads apart from the value: the texts, not the numbers, so that two values
 * written alike (57.1% and 56.7% of participants are both `57%`) never read "57% ... at worst
 * for 57%". The firing and reminder texts say the worst only then (`worst_earlier`, the
 * channels' "worst so far").
 */
export function worstShownApart(a: { scope: string; valueText: string; worstText?: string }): boolean {
  if (a.worstText === undefined) return false;
  if (a.scope === 'participant') return a.worstText !== a.valueText;
  const share = a.worstText.endsWith(GROUP_WORST) ? a.worstText.slice(0, -GROUP_WORST.length) : a.worstText;
  return !a.valueText.endsWith(`(${share})`);
}
