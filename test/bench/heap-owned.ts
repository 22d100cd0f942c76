import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { settledGc } from './ratio.js';
import { readSnapshot } from './snapshot-file.js';

/** Holders that say nothing of who owns what (their holder does). */
const GENERIC = new Set([
  '',
  'Object',
  'Array',
  'Map',
  'Set',
  'WeakMap',
  'Float64Array',
  'Int32Array',
  'ArrayBuffer',
]);

/**
 * Native objects left out: prom-client's event loop delay histogram (`Node / histogram`, 360 KB),
 * which nothing can disable (prom-client keeps it to itself). Until stop 45 every daemon's registry
 * enabled one (counted, the measurement after a third daemon held one more than the one after a
 * second, 205 B "per participant" at 2,000 vs 200); now the process has one (processDefaults).
 */
const LEFT_OUT_NATIVE = new Set(['Node / histogram']);

/** What a heap snapshot says the process holds: in all, and by the first class of ours holding it. */
export interface OwnedHeap {
  /** Bytes of every live object (compiled code left out). */
  bytes: number;
  /** Bytes by holder: `Class.property` of the nearest named object on the way from the roots. */
  byOwner: Map<string, number>;
}

/**
 * A heap snapshot of now, after a full collection and the finalizers it queued (undici's
 * requests take their abort listeners off a long-lived signal only then), read as the bytes of
 * the objects reachable from the roots without passing through an object of a class in
 * `leaveOut` (the simulator in the same process), each counted once under its holder on a
 * shortest path from the roots.
 */
export async function ownedHeap(dir: string, leaveOut: readonly string[]): Promise<OwnedHeap> {
  const file = await snapshotNow(join(dir, 'owned.heapsnapshot'));
  const owned = readOwned(file, leaveOut);
  rmSync(file);
  return owned;
}

/**
 * A heap snapshot of now, after a full collection and the finalizers it queued, written to `file`
 * and not read: reading one compiles and runs code in this process, which a measurement taken
 * after it would count. A bench that measures again later writes its snapshots first and reads
 * them all at its end (churn.bench.ts).
 */
export async function snapshotNow(file: string): Promise<string> {
  await settledGc();
  return writeHeapSnapshot(file);
}

/** A snapshot file read as ownedHeap reads it (see there). */
export function readOwned(file: string, leaveOut: readonly string[], top = TOP): OwnedHeap {
  const snap = readSnapshot(file);
  const meta = snap.snapshot.meta;
  const NF = meta.node_fields.length;
  const EF = meta.edge_fields.length;
  const [TYPE, NAME, SIZE, EDGES] = ['type', 'name', 'self_size', 'edge_count'].map((f) =>
    meta.node_fields.indexOf(f),
  );
  const [ETYPE, ENAME, TO] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f));
  const nodeType = (i: number): string => meta.node_types[0][snap.nodes[i * NF + TYPE!]!]!;
  const nodeName = (i: number): string => snap.strings[snap.nodes[i * NF + NAME!]!]!;
  const count = snap.nodes.length / NF;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) firstEdge[i + 1] = firstEdge[i]! + snap.nodes[i * NF + EDGES!]! * EF;
  // Breadth first from the root: each object's holder is the one that reached it first.
  const owner = new Array<string | undefined>(count);
  const seen = new Uint8Array(count);
  const queue = new Uint32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  owner[0] = '(roots)';
  const left = new Set(leaveOut);
  while (head < tail) {
    const i = queue[head++]!;
    const type = nodeType(i);
    const name = nodeName(i);
    const named =
      (type === 'object' || type === 'closure') && !GENERIC.has(name) && !name.startsWith('system /');
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += EF) {
      const etype = meta.edge_types[0][snap.edges[e + ETYPE!]!];
      if (etype === 'weak' || etype === 'shortcut') continue;
      const j = snap.edges[e + TO!]! / NF;
      if (seen[j]) continue;
      if (nodeType(j) === 'object' && left.has(nodeName(j))) continue;
      seen[j] = 1;
      queue[tail++] = j;
      const edge =
        etype === 'element' || etype === 'hidden' ? '[]' : String(snap.strings[snap.edges[e + ENAME!]!]);
      owner[j] = named
        ? `${type === 'closure' ? 'function ' : ''}${name}.${/^\d+$/.test(edge) ? '[]' : edge}`
        : owner[i];
    }
  }
  const all = new Map<string, number>();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    if (!seen[i] || nodeType(i) === 'code') continue;
    if (nodeType(i) === 'native' && LEFT_OUT_NATIVE.has(nodeName(i))) continue;
    const size = snap.nodes[i * NF + SIZE!]!;
    bytes += size;
    all.set(owner[i]!, (all.get(owner[i]!) ?? 0) + size);
  }
  // The largest holders only: all of them (thousands, some named by a participant's key) would
  // sit in the heap the next measurement reads.
  const byOwner = new Map([...all].sort((a, b) => b[1] - a[1]).slice(0, top));
  return { bytes, byOwner };
}

/** Holders kept of a measurement. */
const TOP = 60;
