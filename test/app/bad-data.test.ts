import { describe, expect, it } from 'vitest';
import { BadDataReport } from '../../src/app/bad-data.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { VirtualClock } from '../../src/util/clock.js';
import { captureLog } from '../helpers/log.js';

const HOUR = 3_600_000;

/** The daemon's report of skipped QoS entries, over the real counts normalization keeps. */
function reporting() {
  const stats = new NormalizeStats();
  const clock = new VirtualClock(Date.UTC(2026, 11, 5));
  const { log, lines } = captureLog();
  const report = new BadDataReport(stats, log, clock);
  const said = () => lines.filter((l) => l.msg.startsWith('skipped QoS entries')).map((l) => l.msg);
  return { stats, clock, report, said };
}

describe('skipped QoS entries in the log (hT44 F1)', () => {
  it('a new kind of bad entry is logged when it comes, not a day after the first line', () => {
    const { stats, clock, report, said } = reporting();
    stats.invalid('repeated_join', 13);
    report.report();
    clock.advance(HOUR);
    stats.invalid('samples_not_list', 4);
    stats.invalid('no_date_time', 4);
    report.report();
    const lines = said();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^skipped QoS entries Zoom sent: 13 repeating a join key/);
    // Was: nothing, until a day after the first line (one key for every reason).
    expect(lines[1]).toBe(
      "skipped QoS entries Zoom sent: 4 whose samples (user_qos; a push's qos) are not a list, 4 with a sample that has no usable date_time, or is no object",
    );
  });

  it('a reason already named is quiet for a day, then named again with everything since its last line', () => {
    const { stats, clock, report, said } = reporting();
    stats.invalid('not_object', 2);
    report.report();
    for (let h = 1; h < 24; h++) {
      clock.advance(HOUR);
      stats.invalid('not_object', 1);
      report.report();
    }
    expect(said()).toHaveLength(1);
    clock.advance(HOUR);
    stats.invalid('not_object', 1);
    report.report();
    expect(said()).toHaveLength(2);
    expect(said()[1]).toMatch(/^skipped QoS entries Zoom sent: 24 /);
  });

  it('a quiet reason counted again is named with the new one that brought a line', () => {
    const { stats, clock, report, said } = reporting();
    stats.invalid('not_object', 1);
    report.report();
    clock.advance(HOUR);
    stats.invalid('not_object', 5);
    stats.invalid('no_participant_id', 1);
    report.report();
    expect(said()).toHaveLength(2);
    expect(said()[1]).toBe(
      'skipped QoS entries Zoom sent: 5 participant entries that are not objects, 1 without a join key (user_id; Video SDK sessions: id)',
    );
  });
});
