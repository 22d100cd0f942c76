import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, resolve, sep } from 'node:path';

/**
 * Why a path cannot be followed although the system says ELOOP: the first part of it that cannot,
 * and whether its links lead round in a loop (`loopAt`, the link met again while it is still
 * being followed) or only run through more links than the system follows (40 on Linux), which
 * the system says with the same ELOOP.
 */
export interface LinkTrouble {
  at: string;
  loopAt?: string;
}

/** Links in a row followed before the chain is taken as long (no loop found): past any system's bound. */
const MAX_DEPTH = 1_000;

const LOOP = Symbol('loop');

const isLink = (path: string): boolean => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false; // missing, or not to be looked at: followed no further, as no link
  }
};

/**
 * Follows `rest` from the folder `base` (no links in it) as the system would, each link once;
 * `seen` holds each link met and where it leads, or undefined while it is being followed. Gives
 * where it ends, or the link met again while still being followed.
 */
function follow(
  base: string,
  rest: string,
  seen: Map<string, string | undefined>,
): string | { [LOOP]: string } {
  let at = isAbsolute(rest) ? parse(resolve(rest)).root : base;
  for (const name of rest.split(sep)) {
    if (name === '' || name === '.') continue;
    const next = name === '..' ? dirname(at) : join(at, name);
    if (name === '..' || !isLink(next)) {
      at = next;
      continue;
    }
    if (seen.has(next)) {
      const end = seen.get(next);
      if (end === undefined) return { [LOOP]: next };
      at = end;
      continue;
    }
    if (seen.size >= MAX_DEPTH) return next;
    seen.set(next, undefined);
    const end = follow(dirname(next), readlinkSync(next), seen);
    if (typeof end !== 'string') return end;
    seen.set(next, end);
    at = end;
  }
  return at;
}

const says = (path: string, code: string): boolean => {
  try {
    statSync(path);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === code;
  }
};

/** Where and why `path` cannot be followed when stat says ELOOP of it; undefined when it does not. */
export function linkTrouble(path: string): LinkTrouble | undefined {
  const full = resolve(path);
  if (!says(full, 'ELOOP')) return undefined;
  let at = parse(full).root;
  for (const name of full.slice(at.length).split(sep)) {
    at = join(at, name);
    if (says(at, 'ELOOP')) break;
  }
  try {
    const end = follow(parse(at).root, at, new Map());
    return typeof end === 'string' ? { at } : { at, loopAt: end[LOOP] };
  } catch {
    return { at }; // a link that cannot be read after all: said as too many, not as a loop
  }
}

/** `trouble` in words, after "X is": "a symbolic link that leads back to itself (ELOOP)". */
export function linkTroubleWords(trouble: LinkTrouble): string {
  if (trouble.loopAt === trouble.at) return 'a symbolic link that leads back to itself (ELOOP)';
  if (trouble.loopAt !== undefined)
    return `a symbolic link that leads into a loop of links at ${trouble.loopAt} (ELOOP)`;
  return 'a symbolic link that leads through more links in a row than the system follows (ELOOP; no loop)';
}
