import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadRules } from '../../src/evaluate/load-rules.js';
import type { CompiledRule, RawRule } from '../../src/evaluate/rule-types.js';
import type { ParticipantContext, QosSample, StreamMetrics } from '../../src/normalize/sample.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-rules-'));
let n = 0;

/** Writes rules to a real file and loads them as the daemon would. */
export function rulesFrom(rules: Partial<RawRule>[]): CompiledRule[] {
  const file = join(dir, `r${n++}.yaml`);
  writeFileSync(file, stringify({ rules }));
  return loadRules([file]);
}

export function writeRuleFile(text: string): string {
  const file = join(dir, `r${n++}.yaml`);
  writeFileSync(file, text);
  return file;
}

export const MIN = 60_000;
export const T = Date.parse('2026-03-02T12:00:00Z');

export type SampleExtra = Omit<Partial<QosSample>, 'instance' | 'context'> & {
  instance?: string;
  dc?: string;
  context?: Partial<ParticipantContext>;
};

/** A sample of participant `p` at minute `m` with the given streams and extras. */
export function sample(
  p: string,
  m: number,
  streams: Record<string, StreamMetrics>,
  extra: SampleExtra = {},
): QosSample {
  const inst = extra.instance ?? 'm1';
  return {
    instance: { kind: 'meeting', id: inst, uuid: inst, topic: `Topic ${inst}` },
    participant: { key: p, name: p.toUpperCase(), email: `${p}@example.com`, ip: '' },
    context: {
      dataCenter: extra.dc ?? 'SC',
      networkType: 'Wifi',
      device: 'Mac',
      location: 'San Jose (US)',
      version: '6.2.5',
      ...extra.context,
    },
    time: T + m * MIN,
    streams,
    ...(extra.cpu ? { cpu: extra.cpu } : {}),
    ...(extra.wifi ? { wifi: extra.wifi } : {}),
    ...(extra.cpuPressure ? { cpuPressure: extra.cpuPressure } : {}),
  };
}
