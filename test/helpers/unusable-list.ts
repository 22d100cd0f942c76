type Json = Record<string, unknown>;

/**
 * A live meetings list's answer with no usable entry: each entry without its uuid, and one more
 * that never had one. Such a list ends nothing and does not complete discovery.
 */
export function unusableList(text: string): string {
  const answer = JSON.parse(text) as Json;
  const entries = (answer.meetings as Json[]).map((e) =>
    Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'uuid')),
  );
  return JSON.stringify({ ...answer, meetings: [...entries, { topic: 'no uuid', participants: 1 }] });
}
