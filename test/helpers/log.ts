import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createLogger } from '../../src/util/logger.js';

/** A logged line, as pino writes it. */
export interface LogLine {
  msg: string;
  level: number;
  [field: string]: unknown;
}

/** A real pino logger whose lines are kept, parsed, in `lines`. */
export function captureLog(level = 'info'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

/**
 * What qoswatch's own JSON logger (util/logger.ts: redaction and all) writes while `write` logs
 * through it; `secrets`: the configuration's secret values it knows.
 */
export function loggedText(write: (log: Logger) => void, secrets: Iterable<string> = []): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const log = createLogger({ level: 'info', format: 'json' }, { destination: sink, secrets });
  write(log);
  log.flush();
  return out;
}
