import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { inspectFromZoom } from '../../src/report/inspect.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { TestServer } from '../helpers/http-server.js';
import { zoomClientAt } from '../helpers/zoom-at.js';
import { T0 } from '../helpers/sim.js';

/**
 * `inspect <meeting> <name>` skipped every participants-list entry with a `leave_time` at all, so
 * with Zoom's placeholder (a `leave_time` equal to `join_time` on a join that is there, as every
 * example QoS answer of its API has it) it found nobody. It now reads a leave as the daemon does
 * (poll/joins.ts leaveOf). Zoom's own example answers, served over HTTP.
 */
const sample = (name: string): string =>
  readFileSync(
    fromRoot('test', 'fixtures', 'zoom-samples', 'zoomnet', 'endpoints', `${name}_GET.json`),
    'utf8',
  );

function listWithLeave(leave: (join: string) => string): string {
  const list = JSON.parse(sample('metrics-meetings-{meetingId}-participants')) as {
    next_page_token: string;
    participants: Record<string, string>[];
  };
  list.next_page_token = '';
  for (const p of list.participants) p.leave_time = leave(p.join_time!);
  return JSON.stringify(list);
}

const MEETING = '/v2/metrics/meetings/gaqOKVN9RAaDHKYWEcASXg%3D%3D';
let listBody = '';
const zoom = new TestServer((r, res) => {
  const path = r.path.split('?')[0]!;
  const body = path.startsWith('/oauth/token')
    ? JSON.stringify({ access_token: 'tok', token_type: 'bearer', expires_in: 3600 })
    : path === '/v2/metrics/meetings/575734086'
      ? sample('metrics-meetings-{meetingId}')
      : path === `${MEETING}/participants`
        ? listBody
        : path === `${MEETING}/participants/20162560/qos`
          ? // Zoom's example QoS answer, for the list example's join.
            sample('metrics-meetings-{meetingId}-participants-{participantId}-qos').replace(
              '"user_id": "20161536"',
              '"user_id": "20162560"',
            )
          : undefined;
  // Zoom's 404 for an id it does not know: `jchill` is tried as a participant id first.
  const notFound = { code: 3001, message: 'Meeting does not exist.' };
  res
    .writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
    .end(body ?? JSON.stringify(notFound));
});
beforeAll(() => zoom.listen());
afterAll(() => zoom.close());

async function inspectByName(): Promise<unknown> {
  const clock = new VirtualClock(T0);
  const c = zoomClientAt(zoom.url, clock);
  return inspectFromZoom(c, {
    kind: 'meeting',
    id: '575734086',
    participant: 'jchill',
    rules: loadRules([fromRoot('rules', 'default.yaml')]),
    gapToleranceMs: 150_000,
    reserve: 0,
    clock,
  }).catch((e: unknown) => e);
}

describe("inspect by name, the participants list carrying Zoom's placeholder leave_time", () => {
  it('finds the join whose leave_time equals its join_time', async () => {
    listBody = listWithLeave((join) => join);
    const got = (await inspectByName()) as { one?: { key: string } };
    if (got instanceof Error) throw got;
    expect(got.one).toMatchObject({ key: '20162560' });
  });

  it('still takes a real leave as gone', async () => {
    listBody = listWithLeave(() => '2022-03-01T10:17:35.0000000+00:00');
    const got = await inspectByName();
    expect((got as Error).message).toMatch(/^no participant "jchill" is in this meeting now/);
  });
});
