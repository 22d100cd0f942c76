/** `text` with each of `spans` (any order, overlapping or not) replaced by `shown`, overlapping ones once. */
export function replaceSpans(text: string, spans: [number, number][], shown: string): string {
  let out = '';
  let done = 0;
  for (const [from, to] of joinedSpans(spans)) {
    out += `${text.slice(done, from)}${shown}`;
    done = to;
  }
  return out + text.slice(done);
}

/**
 * `spans` (any order) in order, overlapping ones joined into one: the spans replaceSpans replaces,
 * each by one `shown` (spans that only touch stay two).
 */
export function joinedSpans(spans: [number, number][]): [number, number][] {
  spans.sort((x, y) => x[0] - y[0]);
  const joined: [number, number][] = [];
  for (const [from, to] of spans) {
    const last = joined.at(-1);
    if (last && from < last[1]) last[1] = Math.max(last[1], to);
    else joined.push([from, to]);
  }
  return joined;
}
