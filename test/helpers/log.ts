import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

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
