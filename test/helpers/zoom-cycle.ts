import type { ZoomClient } from '../../src/zoom/client.js';
import { ENDPOINTS, liveRange } from '../../src/zoom/endpoints.js';
import { T0 } from './sim.js';

/** A poll cycle's calls: the live meetings, then every meeting's QoS pages, 8 at a time (poll.concurrency's default). */
export async function cycle(zoom: ZoomClient): Promise<number> {
  const uuids: string[] = [];
  for await (const page of zoom.pages(ENDPOINTS.meetings, {}, { type: 'live', ...liveRange(T0) }))
    for (const m of page) uuids.push(String(m.uuid));
  let next = 0;
  let entries = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < uuids.length; i = next++)
      for await (const page of zoom.pages(ENDPOINTS.meetingQos, { id: uuids[i]! }, { type: 'live' }))
        entries += page.length;
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return entries;
}
