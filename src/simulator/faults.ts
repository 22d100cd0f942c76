import type { FaultKind, FaultSpec } from './scenario-types.js';

interface ActiveFault extends FaultSpec {
  hits: number;
  pathRe?: RegExp;
}

/**
 * Failures the simulator injects: from the scenario (by scenario time) or added at run time
 * (tests, `POST /_sim/faults`). Each fault hits matching requests until `times` is used up.
 */
export class Faults {
  private readonly list: ActiveFault[] = [];
  readonly served = new Map<FaultKind, number>();

  constructor(specs: readonly FaultSpec[] = []) {
    for (const f of specs) this.add(f);
  }

  add(spec: FaultSpec): void {
    this.list.push({ ...spec, hits: 0, ...(spec.path ? { pathRe: new RegExp(spec.path) } : {}) });
  }

  clear(): void {
    this.list.length = 0;
  }

  /**
   * The fault to apply to a request for `path` at scenario offset `t`, if any; counts the hit.
   * With `named`, only faults whose path names this one apply (the token endpoint).
   */
  take(path: string, t: number, named = false): ActiveFault | undefined {
    const f = this.list.find(
      (x) =>
        (x.times === undefined || x.hits < x.times) &&
        (x.from === undefined || t >= x.from) &&
        (x.to === undefined || t < x.to) &&
        (x.pathRe ? x.pathRe.test(path) : !named),
    );
    if (f) {
      f.hits++;
      this.served.set(f.kind, (this.served.get(f.kind) ?? 0) + 1);
    }
    return f;
  }
}
