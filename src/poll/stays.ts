/**
 * Who is present in each instance and who has left, from the participants a QoS answer lists
 * (those with a `leave_time` have left). A leave is reported once; a participant who joins
 * again is present again.
 */
export class StayTracker {
  private readonly left = new Map<string, Set<string>>();

  /** Sorts one answer's participants into present ones and those newly gone. */
  observe(
    instance: string,
    participants: readonly { key: string; leaveTime: string }[],
  ): { present: string[]; left: string[] } {
    const seen = this.left.get(instance) ?? new Set<string>();
    this.left.set(instance, seen);
    const present: string[] = [];
    const left: string[] = [];
    for (const { key, leaveTime } of participants) {
      if (!key) continue;
      if (leaveTime) {
        if (!seen.has(key)) left.push(key);
        seen.add(key);
      } else {
        present.push(key);
        seen.delete(key);
      }
    }
    return { present, left };
  }

  forget(instance: string): void {
    this.left.delete(instance);
  }
}
