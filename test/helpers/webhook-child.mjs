// A receiver in a process of its own, for the kill loop: verified events are spooled and
// acknowledged, then "handed on" by appending their body to handed.log (standing in for the
// scheduler). Started again after a kill, it hands on what the spool kept.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { WebhookReceiver } from '../../dist/src/poll/webhooks/receiver.js';
import { Spool } from '../../dist/src/poll/webhooks/spool.js';
import { systemClock } from '../../dist/src/util/clock.js';
import { silentLogger } from '../../dist/src/util/logger.js';

const [dir, secret] = process.argv.slice(2);
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
