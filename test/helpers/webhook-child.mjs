// A receiver in a process of its own, for the kill loop: verified events are spooled and
// acknowledged, then "handed on" by appending their body to handed.log (standing in for the
// scheduler). Started again after a kill, it hands on what the spool kept.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { pathToFileURL } from 'node:url';

// `built`: the built tree it runs (dist/, made by npm run build), as the test that starts it checked.
const [dir, secret, built] = process.argv.slice(2);
const from = (path) => import(pathToFileURL(join(built, 'src', path)).href);
const { WebhookReceiver } = await from('poll/webhooks/receiver.js');
const { Spool } = await from('poll/webhooks/spool.js');
const { systemClock } = await from('util/clock.js');
const { silentLogger } = await from('util/logger.js');
const spool = new Spool(dir);
const handed = join(dir, 'handed.log');
const handOn = (entry) => {
  appendFileSync(handed, JSON.parse(entry.record.body).payload.object.participant.user_id + '\n');
  spool.markDone(entry.end);
};
for (const e of spool.recovered) handOn(e);
const receiver = new WebhookReceiver(
  {
    host: '127.0.0.1',
    port: 0,
    apps: [{ name: 'k', path: '/q', secretToken: secret }],
    maxBodyBytes: 65536,
    maxAgeMs: 300000,
    takeoverAfterMs: 180000,
  },
  { clock: systemClock, log: silentLogger(), spool, onRecord: (e) => setImmediate(() => handOn(e)) },
);
const url = await receiver.listen();
process.stdout.write(`${url}/q\n`);
