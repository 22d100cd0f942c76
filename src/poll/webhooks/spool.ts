import {
  closeSync,
  constants,
  fstatSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, readJsonFile } from '../../util/atomic-file.js';
import { makeDir } from '../../util/make-dir.js';
import { StateFiles } from '../../util/state-files.js';

/** One verified webhook request as kept on disk until it has been handed on. */
export interface SpoolRecord {
  /** When it was received (epoch ms, the daemon's clock). */
  at: number;
  /** The Zoom app (config name) whose secret verified it. */
  app: string;
  /** The request body as received. */
  body: string;
  /** The signature's digest (replay-guard.ts signatureKey), so a restart still knows it. */
  sig?: string;
  /** Its signed `x-zm-request-timestamp` (epoch ms); absent in records of older versions. */
  ts?: number;
}

export interface SpoolEntry {
  record: SpoolRecord;
  /** Byte offset just past this record: mark it done with this. */
  end: number;
  /** The body as the receiver parsed it (absent for records read back from the file). */
  parsed?: unknown;
}

/**
 * A small append-only journal of verified webhook requests in state.dir. A request is
 * acknowledged to Zoom only after its record is written and fsynced, so a crash after the
 * answer loses nothing: on start the records after the `done` offset are handed on again
 * (samples are de-duplicated downstream, so handing one on twice is harmless). Appends made
 * in one turn of the event loop share one write and one fsync (group commit). Once
 * everything written has been handed on and the file is past `compactBytes`, it is emptied.
 */
export class Spool {
  readonly file: string;
  private readonly offsetFile: string;
  private fd: number;
  private size: number;
  private doneAt: number;
  /** The done offset last written to disk. */
  private diskDone: number;
  /** While beforeDone holds the offset: (time, done offset) as it moved, oldest first. */
  private marks: { at: number; offset: number }[] = [];
  private batch: { line: string; resolve: (end: number) => void; reject: (e: Error) => void }[] = [];
  private flushing = false;
  private syncing = false;
  private readonly idle: (() => void)[] = [];
  private closed = false;
  private saveTimer: NodeJS.Timeout | undefined;
  /** Records found not yet handed on when the spool was opened (after a crash or a kill). */
  readonly recovered: SpoolEntry[] = [];
  /** Records found already handed on: the replay guard remembers them after a restart. */
  readonly handedOn: SpoolRecord[] = [];
  /**
   * Called before the file is emptied; false keeps it (what it holds is still needed, e.g. the
   * replay guard's memory could not be saved).
   */
  beforeCompact: () => boolean = () => true;
  /**
   * Called before the done offset is written (`final`: the spool is closing): what the records
   * handed on changed that must be on disk before a restart stops handing them on again (the
   * pushed participants' times). False keeps the offset where the disk has it (those records are
   * handed on again after a crash); a number too, and asks again in that many ms.
   */
  beforeDone: (final: boolean) => boolean | number = () => true;
  /**
   * While beforeDone holds the offset, the records handed on more than `ms` ago (on `now`, the
   * daemon's clock, when the offset had moved past them) are released anyway: what beforeDone
   * waits to write cannot need them (pushed-presence.ts restores only pushes within that
   * window), so the spool stays bounded by the window times the push rate (the part before the
   * released offset is cut off once it is half the file and the file is past `compactBytes`).
   */
  releaseAfter: { now: () => number; ms: number } | undefined;

  /**
   * `files` writes the done offset: a write that fails (disk full) is counted in
   * `qoswatch_state_write_failures_total{file="webhooks.spool.done"}`, logged once and retried,
   * never thrown from the timer (it had killed the daemon, and again at every restart).
   */
  constructor(
    dir: string,
    private readonly compactBytes = 4 * 1024 * 1024,
    private readonly files: StateFiles = new StateFiles(),
    /** How long the done offset waits before it is written (tests: 0, the next turn). */
    private readonly saveDelayMs = 1000,
  ) {
    makeDir(dir);
    this.file = join(dir, 'webhooks.spool');
    this.offsetFile = join(dir, 'webhooks.spool.done');
    // O_NONBLOCK: a named pipe planted as the spool is refused, never waited on (a regular file is unaffected).
    this.fd = openSync(
      this.file,
      constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK,
      0o600,
    );
    const st = fstatSync(this.fd);
    if (!st.isFile()) {
      closeSync(this.fd);
      throw new Error(`webhook spool ${this.file} is not a regular file; expected a regular file (or none)`);
    }
    const text = readFileSync(this.fd);
    const saved = readJsonFile(this.offsetFile) as { done?: unknown } | undefined;
    let done = typeof saved?.done === 'number' && saved.done >= 0 ? saved.done : 0;
    if (done > text.length) done = text.length;
    // Whole lines only: a torn last line was never fsynced, so never acknowledged.
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf(0x0a, pos);
      if (nl < 0) break;
      const record = parseRecord(text.subarray(pos, nl).toString('utf8'));
      pos = nl + 1;
      if (!record) continue;
      if (pos <= done) this.handedOn.push(record);
      else this.recovered.push({ record, end: pos });
    }
    if (pos < text.length) ftruncateSync(this.fd, pos);
    this.size = pos;
    this.doneAt = done;
    this.diskDone = done;
  }

  /** Appends a record; resolves once it is on disk (fsynced), with its end offset. */
  append(record: SpoolRecord): Promise<number> {
    if (this.closed) return Promise.reject(new Error('spool closed'));
    return new Promise((resolve, reject) => {
      this.batch.push({ line: JSON.stringify(record) + '\n', resolve, reject });
      if (!this.flushing && !this.syncing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Writes the batch and fsyncs it off the event loop (group commit): requests that arrive
   * meanwhile form the next batch, written when this one is on disk. So throughput is not
   * one fsync per request, and the loop keeps answering while the disk works.
   */
  private flush(): void {
    this.flushing = false;
    if (this.syncing || !this.batch.length) return;
    const batch = this.batch;
    this.batch = [];
    const start = this.size;
    const ends: number[] = [];
    let end = start;
    const bufs = batch.map((b) => {
      const buf = Buffer.from(b.line, 'utf8');
      end += buf.length;
      ends.push(end);
      return buf;
    });
    const fail = (err: Error): void => {
      // Disk full or gone: the requests are not acknowledged, so Zoom sends them again.
      try {
        ftruncateSync(this.fd, start);
      } catch {
        /* the next append finds out */
      }
      for (const b of batch) b.reject(err);
    };
    try {
      writeAll(this.fd, Buffer.concat(bufs));
    } catch (err) {
      fail(err as Error);
      return;
    }
    this.syncing = true;
    fsync(this.fd, (err) => {
      this.syncing = false;
      if (err) fail(err);
      else {
        this.size = end;
        batch.forEach((b, i) => b.resolve(ends[i]!));
      }
      if (this.batch.length) this.flush();
      else for (const w of this.idle.splice(0)) w();
    });
  }

  /**
   * Marks everything up to `end` as handed on. The offset reaches the disk at most once a
   * second (a rename per request would cap throughput); after a crash the records of that
   * last second are handed on again, which the sample de-duplication makes harmless, as it
   * does for the window every poll after a restart reads again.
   */
  markDone(end: number): void {
    if (end <= this.doneAt) return;
    this.doneAt = Math.min(end, this.size);
    this.saveLater(this.saveDelayMs);
  }

  private saveLater(ms: number): void {
    if (this.saveTimer || this.closed) return;
    // Real time on purpose: this only paces disk writes.
    this.saveTimer = setTimeout(() => this.saveDone(), ms);
    this.saveTimer.unref();
  }

  /**
   * Writes the done offset; empties the file when everything is done and it has grown. Never
   * throws: this runs from a timer, and a full disk must not stop the daemon. A failed write
   * is kept by StateFiles and retried; the spool keeps working from memory meanwhile (a crash
   * then hands on again records already handed on, which de-duplication makes harmless).
   */
  private saveDone(final = false): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const ready = this.beforeDone(final);
    if (typeof ready === 'number') this.saveLater(Math.max(ready, this.saveDelayMs));
    // False (could not be written): asked again, its own pace says when it may be tried.
    else if (!ready && !final) this.saveLater(this.saveDelayMs);
    if (ready !== true) return this.hold();
    this.marks = [];
    if (
      this.doneAt === this.size &&
      this.size >= this.compactBytes &&
      !this.batch.length &&
      !this.syncing &&
      this.beforeCompact()
    )
      this.compact();
    if (this.files.write(this.offsetFile, JSON.stringify({ done: this.doneAt }) + '\n'))
      this.diskDone = this.doneAt;
  }

  /** The offset is held: releases what was handed on before `releaseAfter`'s window (see there). */
  private hold(): void {
    const r = this.releaseAfter;
    if (!r) return;
    const now = r.now();
    const last = this.marks.at(-1);
    if (!last || this.doneAt > last.offset) this.marks.push({ at: now, offset: this.doneAt });
    let upTo = this.diskDone;
    while (this.marks.length && this.marks[0]!.at < now - r.ms)
      upTo = Math.max(upTo, this.marks.shift()!.offset);
    if (upTo <= this.diskDone) return;
    if (!this.files.write(this.offsetFile, JSON.stringify({ done: upTo }) + '\n')) return;
    this.diskDone = upTo;
    if (
      this.doneAt === this.size &&
      this.size >= this.compactBytes &&
      upTo * 2 >= this.size &&
      !this.batch.length &&
      !this.syncing &&
      this.beforeCompact()
    )
      this.cutBefore(upTo);
  }

  /**
   * Drops the part of the file before `offset` (done on disk): the rest is written to a new
   * file, fsynced, and renamed over the spool; the offset 0 is written first, so a crash between
   * the two hands on again the whole old file (harmless), never takes the rest as done.
   */
  private cutBefore(offset: number): void {
    const rest = Buffer.alloc(this.size - offset);
    const tmp = `${this.file}.cut`;
    let fd: number | undefined;
    try {
      let got = 0;
      while (got < rest.length) got += readSync(this.fd, rest, got, rest.length - got, offset + got);
      fd = openSync(
        tmp,
        constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_TRUNC,
        0o600,
      );
      writeAll(fd, rest);
      fsyncSync(fd);
      if (!this.files.write(this.offsetFile, JSON.stringify({ done: 0 }) + '\n')) throw new Error('offset');
      renameSync(tmp, this.file);
    } catch {
      if (fd !== undefined) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        /* not made */
      }
      return; // the old file is kept; an offset 0 written is followed by the real one
    }
    try {
      fsyncDir(join(this.file, '..'));
    } catch {
      /* the rename reaches the disk with the next one */
    }
    closeSync(this.fd);
    this.fd = fd;
    this.size = rest.length;
    this.doneAt = this.size;
    this.diskDone = 0;
    this.marks = this.marks.map((m) => ({ at: m.at, offset: m.offset - offset }));
  }

  /**
   * Empties the file. The offset 0 is written first: a crash between the two hands on again
   * what the file still holds (harmless), never takes new records after it as done. When the
   * offset cannot be written or the file cannot be truncated, the file is kept as it is.
   */
  private compact(): void {
    if (!this.files.write(this.offsetFile, JSON.stringify({ done: 0 }) + '\n')) return;
    try {
      ftruncateSync(this.fd, 0);
    } catch {
      return; // the offset 0 just written is followed by the real one below
    }
    this.size = 0;
    this.doneAt = 0;
    this.diskDone = 0;
    try {
      fsyncSync(this.fd);
    } catch {
      /* the truncation reaches the disk with the next fsync */
    }
  }

  /** Bytes written and not yet handed on. */
  get backlogBytes(): number {
    return this.size - this.doneAt;
  }

  /** Writes what is pending and the done offset, and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    if (this.syncing) await new Promise<void>((resolve) => this.idle.push(resolve));
    if (this.closed) return;
    this.saveDone(true);
    this.closed = true;
    closeSync(this.fd);
  }

  /** The file's size on disk (tests). */
  diskSize(): number {
    return fstatSync(this.fd).size;
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, null);
}

function parseRecord(line: string): SpoolRecord | undefined {
  try {
    const r = JSON.parse(line) as Partial<SpoolRecord>;
    if (typeof r.at === 'number' && typeof r.app === 'string' && typeof r.body === 'string')
      return {
        at: r.at,
        app: r.app,
        body: r.body,
        ...(typeof r.sig === 'string' ? { sig: r.sig } : {}),
        ...(typeof r.ts === 'number' && Number.isFinite(r.ts) ? { ts: r.ts } : {}),
      };
  } catch {
    /* a damaged line is skipped */
  }
  return undefined;
}
