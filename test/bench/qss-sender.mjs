// A load generator for the webhook bench, in a child process of its own (forked with its
// settings in QSS_SENDER, answering over IPC) so that sending shares neither the receiver's
// event loop nor its CPU account: the bench's process.cpuUsage() is then the receiver's alone. Open loop: requests go out at the asked rate whatever
// the answers do; each answer's time is recorded. Signs as Zoom documents it.
//
// It speaks HTTP/1.1 over plain TCP sockets (keep-alive, one request in flight per socket, a
// new socket when none is idle, as Zoom's senders do) instead of node:http's client: that
// client cost ~0.7 ms of CPU per request here, so three threads of it could not offer 833/s on
// two shared cores. Bodies are built before the clock starts; each is signed when it is sent
// (the timestamp is the second it leaves).
import { createHmac } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import process from 'node:process';
import { URL } from 'node:url';

const {
  url,
  secret,
  rate,
  seconds,
  meetings,
  perMeeting,
  startMinute,
  offset = 0,
  stride = 1,
  maxSockets = 256,
} = JSON.parse(process.env.QSS_SENDER);
const target = new URL(url);
const total = Math.round(rate * seconds);

// Sender `offset` of `stride` sends requests offset, offset + stride, ...: together they send each once.
function body(i) {
  const m = i % meetings;
  const p = Math.floor(i / meetings) % perMeeting;
  const minute = startMinute + Math.floor(i / (meetings * perMeeting));
  const bad = (m * perMeeting + p) % 20 === 0;
  return JSON.stringify({
    event: 'meeting.participant_qos',
    event_ts: Date.now(),
    payload: {
      account_id: 'bench',
      object: {
        uuid: `bench-${m}==`,
        participant: {
          user_id: `${m}-${p}`,
          participant_user_id: `u-${m}-${p}`,
          user_name: `Participant ${p}`,
          email: '',
          qos: ['audio_input', 'audio_output', 'video_input', 'video_output'].map((type) => ({
            date_time: new Date(minute * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            type,
            details: {
              bitrate: '63 kbps',
              latency: bad ? '450 ms' : '80 ms',
              jitter: '6 ms',
              avg_loss: '0.1%',
              max_loss: '0.3%',
              quality: 'good',
            },
          })),
        },
      },
    },
  });
}

const bodies = Array.from({ length: total }, (_, n) => Buffer.from(body(offset + n * stride)));
const head = `POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\n`;

/**
 * Answer times (ms, from when a request was taken to be sent, including any wait for a free
 * socket, to its answer's last byte), statuses, errors.
 */
const answers = [];
/** The same, for requests that were the first on a new connection (connect time included). */
const firstOnSocket = [];
/** How late each request left against its schedule (ms): the sender's own lag. */
const lags = [];
const statuses = {};
let errors = 0;
let opened = 0;
let done = 0;
const idle = [];
const waiting = [];
let finish;
const finished = new Promise((resolve) => (finish = resolve));

function answered(status, t0, first) {
  const t = performance.now() - t0;
  answers.push(t);
  if (first) firstOnSocket.push(t);
  const k = status === 0 ? 'error' : String(status);
  statuses[k] = (statuses[k] ?? 0) + 1;
  if (++done === total) finish();
}

let peakSockets = 0;
/** One keep-alive connection: its socket, the due time of the request in flight, unread bytes. */
function openSocket() {
  peakSockets = Math.max(peakSockets, ++opened);
  const c = {
    socket: connect({ host: target.hostname, port: Number(target.port) }),
    t0: undefined,
    buf: Buffer.alloc(0),
    used: 0,
    dead: false,
  };
  c.socket.setNoDelay(true);
  c.socket.on('data', (chunk) => {
    c.buf = c.buf.length ? Buffer.concat([c.buf, chunk]) : chunk;
    for (;;) {
      const end = c.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = c.buf.subarray(0, end).toString('latin1');
      let next;
      if (/\r\ntransfer-encoding:\s*chunked/i.test(headers)) {
        // node:http answers chunked when writeHead came first: the body ends with a 0-size chunk.
        const last = c.buf.indexOf('\r\n0\r\n\r\n', end + 2);
        if (last < 0) return;
        next = last + 7;
      } else {
        next = end + 4 + Number(/\r\ncontent-length:\s*(\d+)/i.exec(headers)?.[1] ?? 0);
        if (c.buf.length < next) return;
      }
      c.buf = c.buf.subarray(next);
      const t0 = c.t0;
      c.t0 = undefined;
      if (t0 !== undefined) answered(Number(headers.slice(9, 12)), t0, c.used++ === 0);
      if (/\r\nconnection:\s*close/i.test(headers)) c.socket.end();
      else release(c);
    }
  });
  const lost = () => {
    if (c.dead) return;
    c.dead = true;
    opened--;
    const i = idle.indexOf(c);
    if (i >= 0) idle.splice(i, 1);
    if (c.t0 !== undefined) {
      errors++;
      answered(0, c.t0, c.used++ === 0);
      c.t0 = undefined;
    }
    if (waiting.length && opened < maxSockets) write(openSocket(), ...waiting.shift());
  };
  c.socket.on('error', lost);
  c.socket.on('close', lost);
  return c;
}

function release(c) {
  if (waiting.length) write(c, ...waiting.shift());
  else idle.push(c);
}

/** Sends request `n` on connection `c`; its answer time counts from `t0`, when it was due out. */
function write(c, n, t0) {
  const b = bodies[n];
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac('sha256', secret).update(`v0:${ts}:`).update(b).digest('hex');
  const req = `${head}content-length: ${b.length}\r\nx-zm-request-timestamp: ${ts}\r\nx-zm-signature: v0=${sig}\r\n\r\n`;
  c.t0 = t0;
  c.socket.cork();
  c.socket.write(req);
  c.socket.write(b);
  c.socket.uncork();
}

let sent = 0;
let lastWrite = 0;
const started = performance.now();
let timer;
function tick() {
  const now = performance.now();
  const due = Math.min(total, Math.floor(((now - started) / 1000) * rate) + 1);
  while (sent < due) {
    const n = sent++;
    const t0 = performance.now();
    lags.push(t0 - (started + (n / rate) * 1000));
    const s = idle.pop() ?? (opened < maxSockets ? openSocket() : undefined);
    if (s) write(s, n, t0);
    else waiting.push([n, t0]);
  }
  lastWrite = performance.now();
  if (sent < total) timer = setTimeout(tick, 1);
}
tick();
await finished;
clearTimeout(timer);
for (const c of idle) c.socket.destroy();
process.send(
  {
    sent,
    answers,
    firstOnSocket,
    lags,
    statuses,
    errors,
    // The span over which the requests were offered: from the first one out to the last one out.
    offerSeconds: (lastWrite - started) / 1000,
    maxSocketsOpen: peakSockets,
    seconds: (performance.now() - started) / 1000,
    cpu: process.cpuUsage(),
  },
  () => process.exit(0),
);
