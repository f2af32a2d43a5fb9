import { defineEnvironment } from '../../../lib/index.js';
import localHa from '../../../environments/local-ha/main.js';
import { e2eMimirConfig } from '../environment/main.js';

/**
 * The zone failover scenario's environment: environments/local-ha unchanged except for the same timing
 * knobs as test/e2e/environment (the HA test asserts that its render differs from out/local-ha by those only).
 */
const base = localHa.config ?? {};

export default defineEnvironment({
  name: 'e2e-ha',
  config: {
    ...base,
    mimir: { ...base.mimir, config: { ...(base.mimir?.config ?? {}), ...e2eMimirConfig } },
  },
  overrides: localHa.overrides,
});
