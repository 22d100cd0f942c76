import { readFileSync } from 'node:fs';

/** Where Linux shows processes; a test may point elsewhere. Absent elsewhere (macOS): every answer is undefined. */
const PROC = '/proc';

/** Clock ticks a second in /proc/<pid>/stat (USER_HZ: 100 on every Linux that Node runs on). */
const USER_HZ = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * When process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat), as text:
 * with its pid, it names one process of one boot (a pid is reused, a start time with it is not).
 * Undefined where /proc is absent or the process is gone.
 */
export function processStartTicks(pid: number): string | undefined {
  const ticks = statFields(pid)?.[22 - 3];
  return ticks && /^\d+$/.test(ticks) ? ticks : undefined;
}

/** /proc/<pid>/stat's fields from the third on (the state), or undefined. */
function statFields(pid: number): string[] | undefined {
  const stat = read(`${PROC}/${pid}/stat`);
  // Field 2 (the command name) is in parentheses and may hold spaces: count after its last ')'.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Whether process `pid` has exited and only waits for its parent to reap it (state Z, zombie, or
 * X, dead): it still answers signal 0 but holds nothing, so a lock it wrote is free. A restart
 * right after a SIGKILL, before the parent (a shell, a supervisor) has reaped the old daemon,
 * sees one. False where /proc is absent or says otherwise.
 */
export function processExited(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state === 'Z' || state === 'X';
}

/** This boot's id (/proc/sys/kernel/random/boot_id): pids and start times of another boot mean nothing. */
export function bootId(): string | undefined {
  return read(`${PROC}/sys/kernel/random/boot_id`)?.trim() || undefined;
}

/** When process `pid` started, in ms since the epoch (boot time from /proc/stat plus its start ticks). */
export function processStartedAtMs(pid: number): number | undefined {
  const ticks = processStartTicks(pid);
  const btime = /^btime (\d+)$/m.exec(read(`${PROC}/stat`) ?? '')?.[1];
  if (ticks === undefined || btime === undefined) return undefined;
  return Number(btime) * 1000 + (Number(ticks) * 1000) / USER_HZ;
}
