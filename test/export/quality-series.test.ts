import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { QualitySeries, type QualityOptions } from '../../src/export/collectors/quality.js';
import { LiveState } from '../../src/export/live-state.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { debianBinary } from '../helpers/binaries.js';
import { sample } from '../helpers/rules.js';

const promtool = debianBinary('promtool', 'prometheus');
const ALL: QualityOptions = { topicLabel: true, participantSeries: true, participantIdentity: true };
const audio = { latency: 0.1, jitter: 0.01, avgLoss: 0.02, maxLoss: 0.05, bitrate: 40_000 };

/** A sample of participant `key` in instance `id` (topic `topic`) at minute `m`. */
function hostile(id: string, topic: string, key: string, m: number, name = key): QosSample {
  const s = sample(key, m, { audio_input: audio, audio_output: { ...audio, latency: 0.2 + m / 100 } });
  s.instance = { kind: 'meeting', id, uuid: `${id}==`, topic };
  s.participant = { key, name, email: `${name}@example.com`, ip: '203.0.113.7' };
  s.cpu = { zoomAvg: 0.2, zoomMax: 0.4, systemMax: 0.5 };
  return s;
}

/** Label values of a rendered line, unescaped as a Prometheus parser does. */
function labels(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/([a-zA-Z_]\w*)="((?:[^"\\\n]|\\[\\"n])*)"/g))
    out[m[1]!] = m[2]!.replace(/\\([\\"n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return out;
}

describe('call quality series in the text format', () => {
  // Zoom's ids, topics, user ids and names are outside input: quotes, backslashes, line feeds,
  // lone UTF-16 surrogates (what a string that was not UTF-8 can hold), braces, '#', NUL.
  const id = '8"1\\2\n3} 4 # x';
  const topic = 'Board "Q3" \\ review\nline 2 \uD800 end';
  const key = 'k"\\\n\uDC00{}=,\u0000';
  const name = 'Zoë "the\\boss"\r\nO\'Brien \uD83D\uDE00';

  it('escape label values exactly as the exposition format asks, and send only valid UTF-8', () => {
    const live = new LiveState();
    live.handle({ type: 'samples', samples: [hostile(id, topic, key, 0, name)] });
    const text = new QualitySeries(live, ALL).text();
    expect(text).toContain(
      'qoswatch_instance_participants{kind="meeting",instance_id="8\\"1\\\\2\\n3} 4 # x",instance_uuid="8\\"1\\\\2\\n3} 4 # x=="} 1\n',
    );
    expect(text).toContain(
      'qoswatch_instance_info{kind="meeting",instance_id="8\\"1\\\\2\\n3} 4 # x",instance_uuid="8\\"1\\\\2\\n3} 4 # x==",topic="Board \\"Q3\\" \\\\ review\\nline 2 \uFFFD end"} 1\n',
    );
    // One line per series: no raw line feed inside a value (a carriage return is allowed raw).
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#')))
      expect(line, line).toMatch(/^[a-z_]+\{.*\} \S+$/s);
    // What a parser reads back is what Zoom sent (the key as shown: a lone surrogate as its escape,
    // one to one; in a name, U+FFFD); a pair (emoji) kept.
    const info = text.split('\n').find((l) => l.startsWith('qoswatch_participant_info{'))!;
    expect(labels(info)).toEqual({
      kind: 'meeting',
      instance_id: id,
      instance_uuid: `${id}==`,
      // The key as people see it (normalize/zoom-text.ts shownKey): its line feed, NUL and
      // backslash and lone surrogate escaped, so a label never holds a control or a bidi override.
      participant: 'k"\\\\\\u000a\\udc00{}=,\\u0000',
      name,
      email: `${name}@example.com`,
      ip: '203.0.113.7',
    });
    expect(/[\uD800-\uDFFF]/u.test(text)).toBe(false);
    expect(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text))).toBe(text);
  });

  it.runIf(promtool)('pass promtool check metrics with hostile names and every opt-in', () => {
    const live = new LiveState();
    live.handle({
      type: 'samples',
      samples: [hostile(id, topic, key, 0, name), hostile('2', '', 'plain', 0), hostile(id, topic, 'b\\', 0)],
    });
    const text = new QualitySeries(live, ALL).text();
    const r = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('render after any sequence of changes what a fresh renderer renders from the same state', () => {
    // The kept lines (per instance, per participant) must never outlive what they were made of.
    let seed = 16;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >>> 0) % n;
    for (const options of [
      ALL,
      { topicLabel: false, participantSeries: false, participantIdentity: false },
    ]) {
      const live = new LiveState();
      const kept = new QualitySeries(live, options);
      for (let step = 0; step < 300; step++) {
        const inst = `8${random(4)}`;
        const ref = { kind: 'meeting' as const, id: inst, uuid: `${inst}==`, topic: `T${random(2)}` };
        switch (random(5)) {
          case 0:
          case 1:
            live.handle({
              type: 'samples',
              samples: Array.from({ length: 1 + random(3) }, () =>
                hostile(inst, ref.topic, `p${random(6)}`, step - random(3)),
              ),
            });
            break;
          case 2:
            live.handle({ type: 'left', instance: ref, participant: `p${random(6)}`, at: step });
            break;
          case 3:
            live.handle({
              type: 'polled',
              instance: ref,
              present: ['p0', 'p1', 'p2'].slice(random(3)),
              at: step,
            });
            break;
          default:
            if (random(3) === 0) live.handle({ type: 'ended', instance: ref, at: step });
        }
        if (random(2)) expect(kept.text(), `step ${step}`).toBe(new QualitySeries(live, options).text());
      }
      expect(kept.text()).toBe(new QualitySeries(live, options).text());
    }
  });
  it('aggregate an instance again after a new sample of one participant, and no other instance', () => {
    // A scrape keeps each instance's aggregates until it changes: a kept aggregate must not
    // outlive the sample it was made of, not even when only one of 20 participants moved.
    const live = new LiveState();
    const options = { topicLabel: false, participantSeries: false, participantIdentity: false };
    const scrape = new QualitySeries(live, options);
    const at = (id: string, key: string, m: number, latency: number, zoomAvg: number): QosSample => {
      const s = sample(key, m, { audio_input: { ...audio, latency } }, { instance: id });
      s.cpu = { zoomAvg, zoomMax: 0.4, systemMax: 0.5 };
      return s;
    };
    const lines = (text: string, name: string, id: string): string[] =>
      text.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes(`instance_id="${id}"`));
    /** avg, max and p95 of a family's series of instance `id`, in that order, as numbers. */
    const aggregates = (text: string, name: string, id: string): Record<string, number> =>
      Object.fromEntries(
        lines(text, name, id).map((l) => [/aggregation="(\w+)"/.exec(l)![1]!, Number(l.split(' ').at(-1))]),
      );
    const close = (want: Record<string, number>): Record<string, unknown> =>
      Object.fromEntries(Object.entries(want).map(([k, v]) => [k, expect.closeTo(v, 9)]));
    const minute0 = Array.from({ length: 20 }, (_, p) => at('a', `p${p}`, 0, 0.1 + p / 1000, 0.2));
    live.handle({ type: 'samples', samples: [...minute0, at('b', 'q', 0, 0.3, 0.5)] });
    const before = scrape.text();
    expect(aggregates(before, 'qoswatch_stream_latency_seconds', 'a')).toEqual(
      close({ avg: 0.1095, max: 0.119, p95: 0.118 }),
    );
    live.handle({ type: 'samples', samples: [at('a', 'p3', 1, 2.1, 0.9)] });
    const after = scrape.text();
    // p3's latency went from 0.103 to 2.1 s: the sum up by 1.997, a new largest, and the p95
    // (the 19th of 20) is the old largest.
    expect(aggregates(after, 'qoswatch_stream_latency_seconds', 'a')).toEqual(
      close({ avg: 0.20935, max: 2.1, p95: 0.119 }),
    );
    expect(aggregates(after, 'qoswatch_cpu_usage_ratio', 'a')).toEqual(
      close({ avg: 0.235, max: 0.9, p95: 0.2 }),
    );
    for (const name of ['qoswatch_stream_latency_seconds', 'qoswatch_cpu_usage_ratio'])
      expect(lines(after, name, 'b')).toEqual(lines(before, name, 'b'));
    expect(after).toBe(new QualitySeries(live, options).text());
  });
});
