import { statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { linkTrouble, linkTroubleWords } from '../util/link-trouble.js';
import { DEFAULTS } from './defaults.js';
import { problemAt, type ParseContext } from './parse-context.js';

/**
 * Linux's kernel file systems (statfs f_type) that never take a folder or file of ours, whoever
 * asks: under /proc mkdir says ENOENT, under /sys EPERM.
 */
const KERNEL_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
]);

/** The kernel file system `dir` lies in, or undefined (any other, or not known). */
function kernelFs(dir: string): string | undefined {
  try {
    return KERNEL_FS.get(statfsSync(dir).type);
  } catch {
    return undefined;
  }
}

/**
 * The nearest part of `dir` that exists (itself or a parent), and what it is when no directory:
 * a file, or a symbolic link no user can make a folder under (a loop, or too many links).
 */
function nearestExisting(dir: string): { at: string; notDir?: string } | undefined {
  for (let at = dir; ; at = dirname(at)) {
    try {
      return { at, notDir: statSync(at).isDirectory() ? undefined : 'a file' };
    } catch (err) {
      const link = (err as NodeJS.ErrnoException).code === 'ELOOP' ? linkTrouble(at) : undefined;
      if (link) return { at: link.at, notDir: linkTroubleWords(link) };
      if (dirname(at) === at) return undefined;
    }
  }
}

/**
 * `state.dir`, relative to the config file. `check` writes nothing and often runs as another
 * user than the daemon, so it refuses only what no user can use: a path that is (or lies under)
 * an existing file (`run` used to log "cannot read state file ... starting without it" and then
 * fail with "(EEXIST)", and `check` passed it), or one in a kernel file system such as /proc
 * (`run` spun there for ever). Whether the daemon's user may write it, `run` finds at start-up.
 */
export function stateDirSetting(ctx: ParseContext): string {
  const written = ctx.raw.state?.dir;
  const dir = resolve(ctx.base, written ?? DEFAULTS.state.dir);
  const near = nearestExisting(dir);
  if (!near) return dir;
  const { at } = near;
  const where = written !== undefined ? ['state', 'dir'] : ['state'];
  const expected = 'expected a directory qoswatch can write (it is made when missing)';
  if (near.notDir)
    problemAt(
      ctx,
      where,
      `${at === dir ? `${dir} is` : `${at}, on the way to ${dir}, is`} ${near.notDir}, not a directory; ${expected}`,
    );
  else {
    const fs = kernelFs(at);
    if (fs)
      problemAt(
        ctx,
        where,
        `${dir} lies in ${fs}, a kernel file system that takes no state files; ${expected}`,
      );
  }
  return dir;
}
