import { afterEach, describe, expect, it } from 'vitest';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { TEXT_MAX } from '../../src/normalize/zoom-text.js';
import { meetingSource, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Free texts from Zoom (topics, names, e-mails) are cut to TEXT_MAX where they are read. Before,
 * an outside tester's 200 MB topic was kept whole, and one "discovered meeting" log line was
 * 419 MB (the topic twice); the same text went to labels and every notifier.
 */
let h: SimHarness;
afterEach(async () => h.close());

type Person = NonNullable<NonNullable<RawScenario['meetings']>[number]['participants']>[number];

/** Discovers the one meeting of `topic` with `person` in it, and polls it once. */
async function discoverAndPoll(topic: string, person: Person) {
  const meeting = { id: 85000000077, uuid: 'long-texts==', topic, end: '30m', participants: [person] };
  h = await startSim({ meetings: [meeting] }, 6 * 60_000);
  const source = meetingSource(h);
  const {
    live: [live],
  } = await source.discover();
  return { ref: live!.ref, samples: (await source.poll(live!)).samples };
}

describe('long texts from Zoom', () => {
  it('are cut to TEXT_MAX characters, the last an ellipsis, never inside a surrogate pair', async () => {
    const topic = 'T'.repeat(TEXT_MAX - 2) + '\u{1F600}'.repeat(50_000);
    const name = 'N'.repeat(100_000);
    const email = `${'e'.repeat(100_000)}@example.com`;
    const { ref, samples } = await discoverAndPoll(topic, {
      key: 'p',
      id: 'u-long',
      user_id: '100',
      name,
      email,
    });
    expect(ref.topic).toBe(`${'T'.repeat(TEXT_MAX - 2)}\u2026`);
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) {
      expect(s.instance.topic.length).toBeLessThanOrEqual(TEXT_MAX);
      expect(s.participant.name).toBe(`${'N'.repeat(TEXT_MAX - 1)}\u2026`);
      expect(s.participant.email).toHaveLength(TEXT_MAX);
    }
  });

  it('are kept whole up to TEXT_MAX', async () => {
    const topic = 'x'.repeat(TEXT_MAX);
    const { ref, samples } = await discoverAndPoll(topic, {
      key: 'p',
      id: 'u-short',
      user_id: '100',
      name: 'Ana',
    });
    expect(ref.topic).toBe(topic);
    expect(samples[0]!.participant.name).toBe('Ana');
  });

  it('are made visible as they are cut: unseen characters U+FFFD, line breaks a space, and a cut one still ends in an ellipsis', async () => {
    // 600 characters that shrink to 400 once each CR LF is a space: cut all the same.
    const topic = '\u202ea\r\n'.repeat(150);
    const { ref, samples } = await discoverAndPoll(topic, {
      key: 'p',
      id: 'u-unseen',
      user_id: '100',
      name: 'Ana\u2066\nOkafor\u0007',
    });
    expect(ref.topic).toBe(`${'\ufffda '.repeat(75)}\u2026`);
    expect(samples[0]!.participant.name).toBe('Ana\ufffd Okafor\ufffd');
  });
});
