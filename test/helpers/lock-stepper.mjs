// One start for a state dir's lock, stepped by its parent (test/util/state-lock-race.test.ts):
// node lock-stepper.mjs STATE_LOCK_JS DIR hold|go. With "hold", the first time it judges the lock
// stale it says "judged" and waits there until a line comes on stdin. Then says "took" or
// "locked: <message>"; a later "release" line releases the lock ("released"); stdin's end exits.
import { readSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Buffer } from 'node:buffer';
import process from 'node:process';

const [lockJs, dir, mode] = process.argv.slice(2);
const { lockStateDir } = await import(pathToFileURL(lockJs).href);
const say = (line) => process.stdout.write(`${line}\n`);

/** Blocks until stdin gives a byte or ends (lockStateDir is synchronous, so the hook must be too). */
function waitForLine() {
  const byte = Buffer.alloc(1);
  for (;;)
    try {
      if (readSync(0, byte, 0, 1, null) === 0 || byte[0] === 10) return;
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
}

let held = mode !== 'hold';
let release = () => {};
try {
  release = lockStateDir(dir, () => {
    if (held) return;
    held = true;
    say('judged');
    waitForLine();
  });
  say('took');
} catch (err) {
  say(err.code === 'QW_STATE_LOCKED' ? `locked: ${err.message}` : `error: ${err.stack}`);
}
let input = '';
process.stdin.on('data', (d) => {
  input += d.toString();
  if (input.includes('release\n')) {
    input = '';
    release();
    say('released');
  }
});
process.stdin.on('end', () => process.exit(0));
