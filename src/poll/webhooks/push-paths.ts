/** Which path an instance's QoS comes by: Zoom's pushes, or our polls. */
export type QosPath = 'push' | 'poll';

/**
 * Remembers when each instance's QoS was last pushed. While pushes keep coming, polling leaves
 * the instance's QoS list alone; once they have stopped for `takeoverAfterMs`, polling takes
 * it back. Pure bookkeeping over injected times.
 */
export class PushPaths {
  private readonly lastPush = new Map<string, number>();
  /** Calls polling did not make because pushes covered the instance. */
  callsSaved = 0;
  /** Times polling took an instance back after its pushes stopped. */
  takeovers = 0;
  private readonly wasPushed = new Set<string>();

  constructor(readonly takeoverAfterMs: number) {}

  pushed(instance: string, at: number): void {
    const last = this.lastPush.get(instance);
    if (last === undefined || at > last) this.lastPush.set(instance, at);
  }

  /** The instance's path now; a change from push to poll is counted as a takeover. */
  path(instance: string, now: number): QosPath {
    const last = this.lastPush.get(instance);
    const push = last !== undefined && now - last <= this.takeoverAfterMs;
    if (push) this.wasPushed.add(instance);
    else if (this.wasPushed.delete(instance)) this.takeovers++;
    return push ? 'push' : 'poll';
  }

  /** The instance's path now, without counting a takeover (for reading, as the API does). */
  peek(instance: string, now: number): QosPath {
    const last = this.lastPush.get(instance);
    return last !== undefined && now - last <= this.takeoverAfterMs ? 'push' : 'poll';
  }

  lastPushAt(instance: string): number | undefined {
    return this.lastPush.get(instance);
  }

  /** Instances pushed at least once and not forgotten. */
  instances(): string[] {
    return [...this.lastPush.keys()];
  }

  forget(instance: string): void {
    this.lastPush.delete(instance);
    this.wasPushed.delete(instance);
  }
}
