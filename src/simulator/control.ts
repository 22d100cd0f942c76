import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from './faults.js';
import { readBody, send } from './http.js';
import type { SimRateLimits } from './rate-limits.js';
import { postedFault } from './posted-fault.js';
import type { Scenario } from './scenario-types.js';

/** What the control routes read and change of the simulator. */
export interface ControlHost {
  readonly scenario: Scenario;
  readonly requests: ReadonlyMap<string, number>;
  readonly limits: SimRateLimits;
  readonly faults: Faults;
  readonly tokensIssued: number;
  revokeTokens(): void;
}

/**
 * The simulator's own routes under `/_sim/` (not Zoom's): its status (virtual time, requests,
 * refusals, faults served, tokens issued), faults added or cleared at run time, tokens revoked.
 */
export async function control(
  sim: ControlHost,
  now: number,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (url.pathname === '/_sim/status' && req.method === 'GET') {
    send(res, 200, {
      scenario: sim.scenario.name,
      now: new Date(now).toISOString(),
      requests: Object.fromEntries(sim.requests),
      refused: sim.limits.refused,
      peak: Object.fromEntries(sim.limits.peak),
      faults_served: Object.fromEntries(sim.faults.served),
      tokens_issued: sim.tokensIssued,
    });
    return;
  }
  if (url.pathname === '/_sim/faults' && req.method === 'POST') {
    const posted = postedFault(await readBody(req));
    if ('problem' in posted) send(res, 400, { code: 400, message: posted.problem });
    else {
      sim.faults.add(posted.fault);
      send(res, 200, { ok: true });
    }
    return;
  }
  if (url.pathname === '/_sim/faults' && req.method === 'DELETE') {
    sim.faults.clear();
    send(res, 200, { ok: true });
    return;
  }
  if (url.pathname === '/_sim/revoke' && req.method === 'POST') {
    sim.revokeTokens();
    send(res, 200, { ok: true });
    return;
  }
  send(res, 404, { code: 404, message: 'Not found.' });
}
