// One start racing another for a state dir's stale lock (test/util/state-lock-race.test.ts):
// node lock-racer.mjs STATE_LOCK_JS DIR ME OTHER. Once it judged the lock stale it says so
// (DIR/judged-ME) and holds there until OTHER has too, so that both have read the same stale
// lock before either takes it over. Prints "took" or "locked", then runs until stdin ends.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import process from 'node:process';

const [lockJs, dir, me, other] = process.argv.slice(2);
const { lockStateDir } = await import(pathToFileURL(lockJs).href);
const until = Date.now() + 20_000; // a bound on a broken test, not a timing figure
try {
  lockStateDir(dir, () => {
    writeFileSync(join(dir, `judged-${me}`), '');
    while (!existsSync(join(dir, `judged-${other}`)) && Date.now() < until);
  });
  process.stdout.write('took\n');
} catch (err) {
  process.stdout.write(err.code === 'QW_STATE_LOCKED' ? `locked: ${err.message}\n` : `error: ${err.stack}\n`);
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
