/** Thrown when the queue already holds `maxQueued` tasks: the caller answers "busy". */
export class QueueFullError extends Error {
  constructor() {
    super('too many requests waiting');
    this.name = 'QueueFullError';
  }
}

interface Waiting {
  start: () => void;
}

/**
 * Runs at most `concurrency` tasks at once; the rest wait in one queue per client, served
 * round-robin, so a client that floods the queue delays another client by at most one of its
 * own tasks, however many it sent. Used for bcrypt, which is slow on purpose.
 */
export class FairQueue {
  private running = 0;
  private queued = 0;
  /** Clients with waiting tasks, in the order they are served next. */
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  /** Tasks waiting for a slot now (not counting those running). */
  get depth(): number {
    return this.queued;
  }

  async run<T>(client: string, task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.queued >= this.maxQueued) throw new QueueFullError();
      await new Promise<void>((start) => {
        const list = this.waiting.get(client);
        if (list) list.push({ start });
        else this.waiting.set(client, [{ start }]);
        this.queued++;
      });
    } else this.running++;
    try {
      return await task();
    } finally {
      this.next();
    }
  }

  /** Hands the freed slot to the next client in turn (the slot stays counted as running). */
  private next(): void {
    const first = this.waiting.entries().next();
    if (first.done) {
      this.running--;
      return;
    }
    const [client, list] = first.value;
    const w = list.shift()!;
    this.waiting.delete(client);
    // The client goes to the back of the line if it has more waiting.
    if (list.length) this.waiting.set(client, list);
    this.queued--;
    w.start();
  }
}
