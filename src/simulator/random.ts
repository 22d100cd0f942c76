/** Deterministic randomness: the same scenario and seed give the same calls, byte for byte. */

export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform number in [0, 1) for the given key: stateless, so any sample can be regenerated alone. */
export function unit(...key: (string | number)[]): number {
  let t = hash32(key.join('\u0001')) + 0x6d2b79f5;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function between(lo: number, hi: number, ...key: (string | number)[]): number {
  return lo + (hi - lo) * unit(...key);
}

export function pick<T>(items: readonly T[], ...key: (string | number)[]): T {
  return items[Math.floor(unit(...key) * items.length)]!;
}
