// The Zoom simulator in a child process of its own, for http-cycle.bench.ts (forked with its
// scenario in QW_SIM, its URL and counts told over IPC), so that serving shares neither the
// client's event loop nor its CPU account: the bench's process.cpuUsage() is then the client's
// alone. Built code (dist/, `npm run bench` builds first); its clock stands still, so every
// cycle is answered with the same bytes.
import process from 'node:process';
import { URL } from 'node:url';

const dist = (path) => import(new URL(`../../dist/src/${path}`, import.meta.url).href);
const { ZoomSimulator } = await dist('simulator/server.js');
const { scenarioFrom } = await dist('simulator/scenario.js');
const { VirtualClock } = await dist('util/clock.js');

const { raw, start, at } = JSON.parse(process.env.QW_SIM);
const sim = new ZoomSimulator(scenarioFrom(raw, start), new VirtualClock(at));
const url = await sim.listen(0, '127.0.0.1');
process.on('message', (m) => {
  if (m === 'counts') process.send({ connections: sim.connections, requests: sim.apiRequests() });
});
process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
process.send({ url });
