import type { QosSample } from '../normalize/sample.js';

/**
 * Named participants of each instance: instance key -> name -> the participant key of its one
 * join, or the keys of its joins when more than one (a Set only then: most names have one join,
 * and a Set per participant was most of what this held).
 */
export class JoinNames {
  private readonly names = new Map<string, Map<string, string | Set<string>>>();
  /**
   * Changes whenever a name gains or loses a join anywhere: an `otherDevices` answer found
   * while it holds (for a join whose name and instance did not change) holds too.
   */
  version = 0;

  remember(ikey: string, s: QosSample): void {
    const name = s.participant.name.trim();
    if (!name) return;
    let byName = this.names.get(ikey);
    if (!byName) this.names.set(ikey, (byName = new Map<string, string | Set<string>>()));
    const keys = byName.get(name);
    const key = s.participant.key;
    if (keys === undefined) byName.set(name, key);
    else if (typeof keys === 'string') {
      if (keys === key) return;
      byName.set(name, new Set([keys, key]));
    } else if (keys.has(key)) return;
    else keys.add(key);
    this.version++;
  }

  /**
   * Whether the same person is in the instance from another device (another join under the
   * same name), so the alert must say which device. Hook: joins linked by account id (issue
   * 10) can answer this more surely than the name.
   */
  otherDevices(ikey: string, s: QosSample): boolean {
    const name = s.participant.name.trim();
    const keys = name ? this.names.get(ikey)?.get(name) : undefined;
    return keys !== undefined && typeof keys !== 'string' && keys.size > 1;
  }

  leave(ikey: string, participants: ReadonlySet<string>): void {
    this.version++;
    const names = this.names.get(ikey);
    if (names)
      for (const [name, keys] of names) {
        if (typeof keys === 'string') {
          if (participants.has(keys)) names.delete(name);
          continue;
        }
        for (const p of participants) keys.delete(p);
        if (!keys.size) names.delete(name);
        else if (keys.size === 1) names.set(name, keys.values().next().value!);
      }
  }

  end(ikey: string): void {
    this.version++;
    this.names.delete(ikey);
  }
}
