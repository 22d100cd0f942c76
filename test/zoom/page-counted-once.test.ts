import { afterEach, describe, expect, it } from 'vitest';
import { CallStats, type CallOutcome } from '../../src/zoom/call-stats.js';
import type { Category } from '../../src/zoom/limits.js';
import { ENDPOINTS, liveRange } from '../../src/zoom/endpoints.js';
import { ZoomError } from '../../src/zoom/errors.js';
import type { ZoomClient } from '../../src/zoom/client.js';
import type { TestServer } from '../helpers/http-server.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingWith, s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Review (stop 38, LOW): a 200 page that is not the listing (or holds entries that cannot be
 * used) was counted `ok`, then moved to `bad_response` (CallStats.reclassify): whatever read
 * the counts between the two saw an `ok` that was not, and the `ok` counter went down again
 * (a counter reset to Prometheus; with the call's signal aborted in between, one of another
 * call's `ok`s was taken). Now the page is judged before the call is counted, once.
 */
class ScrapedAtEachCount extends CallStats {
  /** The list's `ok` and `bad_response` counts, as a scrape right after each count would see them. */
  readonly seen: { ok: number; bad: number }[] = [];

  override record(endpoint: string, category: Category, outcome: CallOutcome): void {
    super.record(endpoint, category, outcome);
    if (endpoint !== ENDPOINTS.meetings.name) return;
    this.seen.push({
      ok: this.total({ endpoint, outcome: 'ok' }),
      bad: this.total({ endpoint, outcome: 'bad_response' }),
    });
  }
}

let h: SimHarness;
let proxy: TestServer;
afterEach(async () => {
  await proxy.close();
  await h.close();
});

async function listWith(page: Record<string, unknown>, strict = false) {
  h = await startSim({ meetings: [meetingWith(2)] });
  proxy = await simProxy(h.url, {
    rewrite: (text, r) => (/\/metrics\/meetings\?/.test(r.path) ? JSON.stringify(page) : text),
  });
  const stats = new ScrapedAtEachCount();
  const client: ZoomClient = s2sClient({ ...h, url: proxy.url }, { stats, maxRetries: 0 });
  const unusable: ZoomError[] = [];
  const items: unknown[] = [];
  const err = await (async () => {
    for await (const p of client.pages<Record<string, unknown>>(
      ENDPOINTS.meetings,
      {},
      { type: 'live', ...liveRange(h.clock.now()) },
      {
        keyOf: (i) => (typeof i.uuid === 'string' ? i.uuid : ''),
        ...(strict ? { strict } : { requireItems: true, unusable: (e) => unusable.push(e) }),
      },
    ))
      items.push(...p);
  })().catch((e: unknown) => e);
  return { seen: stats.seen, unusable, items, err };
}

describe('a 200 page of a listing that is not usable is counted once, as bad_response', () => {
  it.each([
    { name: 'no array (requireItems)', page: { total_records: 1 }, strict: false },
    { name: 'not a list (strict)', page: { meetings: { uuid: 'x' } }, strict: true },
  ])('$name: thrown, never counted ok', async ({ page, strict }) => {
    const { seen, err } = await listWith(page, strict);
    expect(err).toBeInstanceOf(ZoomError);
    expect((err as ZoomError).code).toBe('ZOOM_BAD_RESPONSE');
    expect(seen).toEqual([{ ok: 0, bad: 1 }]);
  });

  it('entries that cannot be used: the usable ones yielded, unusable told, never counted ok', async () => {
    const { seen, unusable, items, err } = await listWith({
      meetings: [{ uuid: 'good==' }, 7, { topic: 'no uuid' }],
      total_records: 3,
    });
    expect(err).toBeUndefined();
    expect(items).toEqual([{ uuid: 'good==' }, { topic: 'no uuid' }]);
    expect(unusable.map((e) => e.message)).toEqual([
      expect.stringContaining('has 2 entries that cannot be used (1 not objects, 1 without a usable id)'),
    ]);
    expect(seen).toEqual([{ ok: 0, bad: 1 }]);
  });

  it('a good page is counted ok, once', async () => {
    const { seen, unusable, items } = await listWith({ meetings: [{ uuid: 'good==' }], total_records: 1 });
    expect(items).toEqual([{ uuid: 'good==' }]);
    expect(unusable).toEqual([]);
    expect(seen).toEqual([{ ok: 1, bad: 0 }]);
  });
});
