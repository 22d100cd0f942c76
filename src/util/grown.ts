/** A typed array of `size` elements that begins with `a`'s (a per-slot array, grown as the slots are). */
export function grown<A extends Float64Array | Int32Array | Uint8Array>(a: A, size: number): A {
  const b = new (a.constructor as new (n: number) => A)(size);
  b.set(a);
  return b;
}
