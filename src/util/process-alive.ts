/** Linux's largest pid (`/proc/sys/kernel/pid_max` is at most 2^22); anything past 2^31 - 1 is no pid anywhere. */
const MAX_PID = 2 ** 31 - 1;

import { processExited } from './process-start.js';

type Kill = (pid: number, signal: number) => unknown;

/**
 * Whether process `pid` (of this host and pid namespace) may still be running: signal 0 is
 * sent, which checks without signalling. ESRCH: gone. EPERM: running, as another user. A
 * process that answers but has exited and waits to be reaped (a zombie, /proc says so) is gone. A
 * number that cannot be a pid (not an integer from 1 to 2^31 - 1) names no process: gone.
 *
 * Any other error says nothing about the process, and is taken as **alive**. The two users of
 * this answer fail differently when it is wrong, and "alive" is the side that fails safe and
 * loud in both:
 * - a lock (the state directory's, the budget file's): a wrongly "gone" owner lets a second
 *   owner in, silently (two daemons double-spend the budget and double-send alerts); a wrongly
 *   "alive" one refuses the newcomer with an error naming the pid and the file to remove (the
 *   state-dir lock), or is broken anyway when it is 10 s old (the budget file's lock);
 * - a reservation in the budget file: a wrongly "alive" owner keeps its calls counted until the
 *   reservation expires (at most 5 minutes), a wrongly "gone" one lets others spend calls a
 *   running report counts on.
 * `kill` is the system call, for a test to make it fail in ways Linux does not show on demand.
 */
export function processAlive(pid: number, kill: Kill = (p, s) => process.kill(p, s)): boolean {
  if (!Number.isInteger(pid) || pid < 1 || pid > MAX_PID) return false;
  try {
    kill(pid, 0);
    return !processExited(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
