/**
 * `zoom.timeout` over one whole exchange with Zoom, the body included: its signal aborts with a
 * TimeoutError when the time is up, or with the reason of `outer` (the daemon's stop) if that
 * aborts first. ky's own `timeout` ends when the headers arrive, and a body that stalls after them
 * would be waited for without end (a poll cycle, and with it the daemon, stuck on one call).
 *
 * The signal is the request's own, not joined to `outer` with AbortSignal.any: ky joins the signal
 * it is given to its own, and Node 20 keeps every such join in the given signal for as long as
 * that lives (given the daemon's signal, the heap grew by about 0.4 MiB an hour). `end()` unlinks
 * it from `outer` and stops the timer.
 */
export class Deadline {
  private readonly own = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly forward = (): void => this.own.abort(this.outer?.reason);
  private expired = false;

  constructor(
    readonly ms: number,
    private readonly outer?: AbortSignal,
  ) {
    // Real time, as ky's timeout: it bounds a socket, whatever clock the caller runs on.
    this.timer = setTimeout(() => {
      if (this.own.signal.aborted) return;
      this.expired = true;
      this.own.abort(new DOMException(`no whole answer within ${ms} ms`, 'TimeoutError'));
    }, ms);
    if (outer?.aborted) this.forward();
    else outer?.addEventListener('abort', this.forward, { once: true });
  }

  get signal(): AbortSignal {
    return this.own.signal;
  }

  /** The time ran out (and not the outer signal first). */
  get timedOut(): boolean {
    return this.expired;
  }

  end(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.forward);
  }
}
