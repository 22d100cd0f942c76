// One Zoom answer read by the built client (dist/) in a process of its own, so that its peak
// resident set is that answer's: argv[2] is the API URL (a server in the bench's process),
// argv[3] the endpoint's key in ENDPOINTS, argv[4] another dist/ to load (an older build).
// Prints one JSON line: the resident set before the call, the peak, the heap after, the outcome.
import process from 'node:process';
import { pathToFileURL, URL } from 'node:url';
import { resolve } from 'node:path';

const [url, key, distArg] = process.argv.slice(2);
const dist = pathToFileURL(resolve(distArg ?? new URL('../../dist', import.meta.url).pathname)).href;
const { ZoomClient } = await import(`${dist}/src/zoom/client.js`);
const { ENDPOINTS } = await import(`${dist}/src/zoom/endpoints.js`);
const { VideoSdkJwt } = await import(`${dist}/src/zoom/auth.js`);
const { PLAN_DEFAULTS } = await import(`${dist}/src/zoom/limits.js`);
const { VirtualClock } = await import(`${dist}/src/util/clock.js`);

const clock = new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));
const auth = new VideoSdkJwt('key', 'secret', clock);
const zoom = new ZoomClient({
  apiUrl: url,
  auth,
  limits: PLAN_DEFAULTS.business,
  dailyShare: 1,
  clock,
});
const before = process.memoryUsage().rss;
let outcome = 'ok';
let entries = 0;
try {
  for await (const page of zoom.pages(ENDPOINTS[key], { id: 'm' }, { type: 'live' })) entries += page.length;
} catch (err) {
  outcome = err.message.slice(0, 120);
}
const peak = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ before, peak, heap: process.memoryUsage().heapUsed, entries, outcome })}\n`,
);
process.exit(0);
