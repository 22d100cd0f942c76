import { bench, describe } from 'vitest';
import { compileSilence, silenceOverlaps } from '../../src/notify/mute.js';
import { silenceOverlapsByMinute } from '../helpers/silence-minute-walk.js';

/**
 * A recurring silence (Sundays 02:00-03:00 Europe/Berlin) asked about a fired-and-resolved
 * episode from Monday to Saturday night, just under a week, which it does not meet: each minute
 * looked at before (test/helpers/silence-minute-walk.ts), each next start now.
 */
const s = compileSilence({
  matchers: {},
  recurring: { days: [0], start: 120, end: 180, zone: 'Europe/Berlin' },
  comment: '',
});
const from = Date.parse('2026-05-04T00:00:00Z');
const to = Date.parse('2026-05-09T23:00:00Z');

describe('silenceOverlaps over a six-day episode a weekly window does not meet', () => {
  bench('each minute (before)', () => void silenceOverlapsByMinute(s, from, to));
  bench('each next start (now)', () => void silenceOverlaps(s, from, to));
});
