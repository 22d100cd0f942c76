import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { parseTime } from '../../src/normalize/values.js';
import { joinSeen } from '../../src/poll/joins.js';
import { captureLog } from '../helpers/log.js';
import { daemonOnRewrittenQos, editQosOf } from '../helpers/rewritten-qos.js';

/**
 * Outside tester, stop 38 (MEDIUM): a `date_time` without a zone (`2026-12-05T01:20:00`,
 * `2026-12-05 01:20:00`) was read by Date.parse in the host's time zone: under America/New_York
 * every such sample was 5 hours ahead and dropped as future, without a word; under Asia/Kolkata
 * it was 5.5 hours early. Zoom's times are UTC (shared/zoom-api/README.md): one without a zone is
 * read as UTC, whatever the host's zone. These tests set the process's TZ (Node reads it again
 * when it changes; each test file has a process of its own), so they fail on the old code on any
 * host.
 */
const hostZone = process.env.TZ;
const inZone = (tz: string): void => {
  process.env.TZ = tz;
};
const restoreZone = (): void => {
  if (hostZone === undefined) delete process.env.TZ;
  else process.env.TZ = hostZone;
};

describe.each(['America/New_York', 'Asia/Kolkata', 'UTC'])(
  'a Zoom time without a zone, under TZ=%s',
  (tz) => {
    afterEach(restoreZone);

    it.each([
      ['2026-12-05T01:20:00', Date.UTC(2026, 11, 5, 1, 20)],
      ['2026-12-05 01:20:00', Date.UTC(2026, 11, 5, 1, 20)],
      ['2026-12-05T01:20', Date.UTC(2026, 11, 5, 1, 20)],
      ['2026-12-05T01:20:00.250', Date.UTC(2026, 11, 5, 1, 20, 0, 250)],
    ])('%s is UTC', (text, utc) => {
      inZone(tz);
      expect(new Date(2026, 11, 5).getTimezoneOffset()).toBe(
        { 'America/New_York': 300, 'Asia/Kolkata': -330, UTC: 0 }[tz],
      );
      expect(parseTime(text)).toBe(utc);
      // A leave_time at or before join_time is Zoom's placeholder: the leave is read after an earlier join.
      expect(joinSeen({ user_id: '1', join_time: text }, '1', undefined)).toMatchObject({ joinTime: utc });
      expect(
        joinSeen({ user_id: '1', join_time: '2026-12-05T00:00:00', leave_time: text }, '1', undefined),
      ).toMatchObject({ leaveTime: utc });
    });

    it('a time with a zone keeps it; a date alone and junk are as before', () => {
      inZone(tz);
      expect(parseTime('2026-12-05T01:20:00+05:30')).toBe(Date.UTC(2026, 11, 4, 19, 50));
      expect(parseTime('2026-12-05T01:20:00.0000000+00:00')).toBe(Date.UTC(2026, 11, 5, 1, 20));
      expect(parseTime('2026-12-05')).toBe(Date.UTC(2026, 11, 5));
      expect(parseTime('2026-12-05T25:20:00')).toBeNaN();
      expect(parseTime('01:20:00')).toBeNaN();
    });
  },
);

describe('polled samples whose date_time has no zone, the daemon under TZ=America/New_York', () => {
  let events: PipelineEvent[] = [];
  let close: () => Promise<void>;
  let metrics: string;
  /** The times Zoom meant (its answers as the simulator wrote them, with a Z), by user_id. */
  const meant = new Map<string, Set<number>>();
  const edit = (user: string, zoneless: (t: string) => string) =>
    editQosOf(user, (q) => {
      const t = q.date_time as string;
      meant.set(user, (meant.get(user) ?? new Set()).add(Date.parse(t)));
      q.date_time = zoneless(t);
    });

  beforeAll(async () => {
    inZone('America/New_York');
    const ann = edit('700', (t) => t.replace('Z', ''));
    const bo = edit('701', (t) => t.replace('T', ' ').replace('Z', ''));
    ({ events, metrics, close } = await daemonOnRewrittenQos(
      { seed: 'zoneless-times', id: 85400000038, uuid: 'zoneless/times==', userIds: ['700', '701'] },
      (text) => bo(ann(text)),
      captureLog('info').log,
    ));
  }, 60_000);
  afterAll(async () => {
    restoreZone();
    await close();
  });

  const timesOf = (user: string): number[] =>
    events.flatMap((e) =>
      e.type === 'samples' ? e.samples.filter((s) => s.participant.join === user).map((s) => s.time) : [],
    );

  it.each(['700', '701'])('are read as UTC, as Zoom wrote them, none dropped as future (user %s)', (user) => {
    const got = timesOf(user);
    expect(got.length).toBeGreaterThan(3);
    for (const t of got) expect(meant.get(user)).toContain(t);
    expect(metrics).toMatch(/^qoswatch_samples_future_total 0$/m);
  });
});
