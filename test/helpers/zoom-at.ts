import type { Clock } from '../../src/util/clock.js';
import { S2SOAuth } from '../../src/zoom/auth.js';
import { ZoomClient } from '../../src/zoom/client.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';

/** Our Zoom client (S2S OAuth, business plan limits) for a local server serving Zoom's answers at `url`. */
export function zoomClientAt(url: string, clock: Clock): ZoomClient {
  const auth = new S2SOAuth(
    { oauthUrl: `${url}/oauth/token`, accountId: 'a', clientId: 'c', clientSecret: 's' },
    clock,
  );
  return new ZoomClient({ apiUrl: url, auth, limits: PLAN_DEFAULTS.business, dailyShare: 1, clock });
}
