import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULTS } from './defaults.js';
import { problemAt, type ParseContext } from './parse-context.js';

/**
 * `state.dir`, relative to the config file. A path that is (or lies under) an existing file is a
 * problem at the setting: `run` used to log "cannot read state file ... starting without it" and
 * then fail with "(EEXIST)", and `check` passed it.
 */
export function stateDirSetting(ctx: ParseContext): string {
  const written = ctx.raw.state?.dir;
  const dir = resolve(ctx.base, written ?? DEFAULTS.state.dir);
  // The nearest part of the path that exists: a directory, or the file in the way.
  let at = dir;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch {
      const up = dirname(at);
      if (up === at) return dir;
      at = up;
      continue;
    }
    if (!isDir)
      problemAt(
        ctx,
        written !== undefined ? ['state', 'dir'] : ['state'],
        `${at === dir ? `${dir} is` : `${at}, on the way to ${dir}, is`} a file, not a directory; expected a directory qoswatch can write (it is made when missing)`,
      );
    return dir;
  }
}
