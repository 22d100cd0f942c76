// A load generator for the webhook bench, in a worker thread of its own so that sending does
// not share the receiver's event loop. Open loop: requests go out at the asked rate whatever
// the answers do; each answer's time is recorded. Signs as Zoom documents it.
import { createHmac } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';

const { url, secret, rate, seconds, meetings, perMeeting, startMinute, offset = 0, stride = 1 } = workerData;
const total = Math.round(rate * seconds);
const answers = [];
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
const statuses = {};
let sent = 0;

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

// Sender `offset` of `stride` sends requests offset, offset + stride, ...: together they send each once.
async function send(n) {
  const b = body(offset + n * stride);
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${b}`).digest('hex');
  const t0 = performance.now();
  const status = await new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(b),
          'x-zm-request-timestamp': ts,
          'x-zm-signature': sig,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(b);
  });
  answers.push(performance.now() - t0);
  statuses[status] = (statuses[status] ?? 0) + 1;
}

const started = performance.now();
const inflight = [];
await new Promise((resolve) => {
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (sent < due) inflight.push(send(sent++));
    if (sent >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 5);
});
await Promise.all(inflight);
agent.destroy();
parentPort.postMessage({ sent, answers, statuses, seconds: (performance.now() - started) / 1000 });
