import { defineEnvironment } from '../../../lib/index.js';
import local from '../../../environments/local/main.js';
import { e2eMimirConfig } from '../environment/main.js';

/**
 * The self-monitoring scenario's environment: environments/local (self-monitoring, the stack's rules and the
 * continuous test are on there) with the timing knobs of test/e2e/environment, plus two waits of its own that
 * a test cannot sit out (defaults in parentheses). The scenario asserts that the render differs from
 * out/local by these only.
 */
export const selfMonitoringKnobs = {
  /** (5m) how long a scrape target must be down before MimirKubeComponentDown fires. */
  componentDownFor: '10s',
  /** (5m) how often the continuous test writes and checks its series. */
  continuousTestRunInterval: '10s',
} as const;

const base = local.config ?? {};

export default defineEnvironment({
  name: 'e2e-self-monitoring',
  config: {
    ...base,
    mimir: {
      ...base.mimir,
      config: { ...(base.mimir?.config ?? {}), ...e2eMimirConfig },
      selfMonitoringRules: {
        ...base.mimir?.selfMonitoringRules,
        pendingFor: { MimirKubeComponentDown: selfMonitoringKnobs.componentDownFor },
      },
      continuousTest: { ...base.mimir?.continuousTest, runInterval: selfMonitoringKnobs.continuousTestRunInterval },
    },
  },
  overrides: local.overrides,
});
