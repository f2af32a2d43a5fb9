import { defineEnvironment } from '../../../lib/index.js';
import ingest from '../../../environments/ingest/main.js';
import { e2eMimirConfig } from '../environment/main.js';

/**
 * The ingest-storage scenario's environment: environments/ingest unchanged except for the same timing knobs
 * as test/e2e/environment (the scenario asserts that its render differs from out/ingest by those only).
 */
const base = ingest.config ?? {};

export default defineEnvironment({
  name: 'e2e-ingest',
  config: {
    ...base,
    mimir: { ...base.mimir, config: { ...(base.mimir?.config ?? {}), ...e2eMimirConfig } },
  },
  overrides: ingest.overrides,
});
