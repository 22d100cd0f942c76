import { afterEach, describe, expect, it } from 'vitest';
import { formatTable } from '../../src/report/format-text.js';
import { inspectFromZoom } from '../../src/report/inspect.js';
import { makeReport } from '../../src/report/make.js';
import { s2sClient, startSim, type SimHarness } from '../helpers/sim.js';
import { DEFAULT_RULES, reportOptions as options, WEEKLY } from './scenario.js';

/**
 * Review (stop 41, LOW): `qoswatch report` and `inspect` read Zoom's listings through the client's
 * pages(), which stops a listing that would not end (a page loop, or past its page bound) and
 * tells the caller through `cut`; they did not listen, so a report made of a listing read short
 * looked whole. The source line now says which listing was cut and why.
 */
let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LOOP = "Zoom's QoS list was cut short (3 pages in a row added nothing new)";

describe('a listing read short', () => {
  it("is said in a report's source line (every format shows it)", async () => {
    h = await startSim(
      { ...WEEKLY, faults: [{ kind: 'page_loop', path: 'participants/qos$' }] },
      95 * 60_000,
    );
    const r = await makeReport(s2sClient(h), options(h, { source: 'samples' }));
    expect(r.sourceNote).toContain(
      `${LOOP}: participants past the cut are missing here, and the figures shown are not the whole list.`,
    );
    expect(formatTable(r)).toContain(LOOP);
  });

  it('a report read whole says nothing of a cut', async () => {
    h = await startSim(WEEKLY, 95 * 60_000);
    const r = await makeReport(s2sClient(h), options(h, { source: 'samples' }));
    expect(r.sourceNote).not.toContain('cut short');
  });

  it("is said in inspect's source line", async () => {
    h = await startSim(
      { ...WEEKLY, faults: [{ kind: 'page_loop', path: 'participants/qos$' }] },
      75 * 60_000,
    );
    const { view } = await inspectFromZoom(s2sClient(h), {
      kind: 'meeting',
      id: '777',
      rules: DEFAULT_RULES,
      gapToleranceMs: 150_000,
      reserve: 0,
      clock: h.clock,
    });
    expect(view.source).toContain(`${LOOP}: participants past the cut are missing here`);
  });

  it('inspect of a name not found in a participants list read short says it may be past the cut', async () => {
    h = await startSim({ ...WEEKLY, faults: [{ kind: 'page_loop', path: 'participants$' }] }, 75 * 60_000);
    const err = await inspectFromZoom(s2sClient(h), {
      kind: 'meeting',
      id: '777',
      participant: 'Zed',
      rules: DEFAULT_RULES,
      gapToleranceMs: 150_000,
      reserve: 0,
      clock: h.clock,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^no participant "Zed" in Zoom's participants list of this meeting, which was cut short \(3 pages in a row added nothing new\)/,
    );
  });
});
