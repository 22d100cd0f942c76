/** `text` with each of `spans` (any order, overlapping or not) replaced by `shown`, overlapping ones once. */
export function replaceSpans(text: string, spans: [number, number][], shown: string): string {
  spans.sort((x, y) => x[0] - y[0]);
  let out = '';
  let done = 0;
  for (const [from, to] of spans) {
    if (from < done) {
      if (to > done) done = to;
      continue;
    }
    out += `${text.slice(done, from)}${shown}`;
    done = to;
  }
  return out + text.slice(done);
}
