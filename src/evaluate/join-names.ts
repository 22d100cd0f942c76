import type { QosSample } from '../normalize/sample.js';

/** Named participants of each instance: instance key -> name -> participant keys (joins). */
export class JoinNames {
  private readonly names = new Map<string, Map<string, Set<string>>>();

  remember(ikey: string, s: QosSample): void {
    const name = s.participant.name.trim();
    if (!name) return;
    let byName = this.names.get(ikey);
    if (!byName) this.names.set(ikey, (byName = new Map<string, Set<string>>()));
    const keys = byName.get(name);
    if (!keys) byName.set(name, new Set([s.participant.key]));
    else keys.add(s.participant.key);
  }

  /**
   * Whether the same person is in the instance from another device (another join under the
   * same name), so the alert must say which device. Hook: joins linked by account id (issue
   * 10) can answer this more surely than the name.
   */
  otherDevices(ikey: string, s: QosSample): boolean {
    const name = s.participant.name.trim();
    return !!name && (this.names.get(ikey)?.get(name)?.size ?? 0) > 1;
  }

  leave(ikey: string, participants: ReadonlySet<string>): void {
    const names = this.names.get(ikey);
    if (names)
      for (const [name, keys] of names) {
        for (const p of participants) keys.delete(p);
        if (!keys.size) names.delete(name);
      }
  }

  end(ikey: string): void {
    this.names.delete(ikey);
  }
}
