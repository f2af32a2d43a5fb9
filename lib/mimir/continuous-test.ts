import { component, type MimirComponentConfig, type MimirStackConfig } from './config.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { targets } from './names.js';
import { defineComponent, endpointUrl, type StackView } from '../core/registry.js';
import type { Rule } from '../core/checks/context.js';
import { syncWave, syncWaves } from '../core/k8s/waves.js';
import { tenantIdProblem } from './tenant-id.js';

/** Mimir's continuous test: a client of the stack that writes series, reads them back and counts what fails. */
export interface MimirContinuousTestConfig extends MimirComponentConfig {
  /**
   * Run it (`-target=continuous-test`): it writes series through the gateway as `tenant`, queries them back
   * through the gateway and exports its own success metrics (`mimir_continuous_test_*`).
   */
  enabled: boolean;
  /** The tenant it writes and reads as; keep it apart from real tenants. */
  tenant: string;
  /**
   * Series it writes every 20 s (`-tests.write-read-series-test.num-series`).
   * @TJS-type integer
   * @minimum 1
   */
  numSeries: number;
  /** How often it writes and checks its series (`-tests.run-interval`), e.g. `5m`. */
  runInterval: string;
}

export function defaultContinuousTestConfig(): MimirContinuousTestConfig {
  return {
    ...component(1, '50m', '64Mi'),
    enabled: false,
    tenant: 'mimir-continuous-test',
    numSeries: 1000,
    runInterval: '5m',
  };
}

/**
 * Mimir's continuous test (`-target=continuous-test`, Mimir's own binary): a client of the stack that
 * writes series through the gateway as its own tenant every 20 s, queries them back through the gateway
 * every run and compares, and exports how many writes, queries and result checks failed
 * (`mimir_continuous_test_*`; Alloy scrapes it like every Mimir component). With the gateway's basic
 * auth on it sends the client credentials, which the kubelet puts into its flags from the client Secret.
 */
export function continuousTest(c: MimirStackConfig, stack: StackView): StatelessParts {
  const t = c.mimir.continuousTest;
  const gateway = stack.endpoint('gateway', 'http');
  const auth = gateway.basicAuth;
  const parts = statelessComponent(c, {
    name: targets.continuousTest,
    target: targets.continuousTest,
    settings: t,
    flags: {
      // The client appends /api/v1/push and /api/v1/query_range itself.
      'tests.write-endpoint': endpointUrl(c, gateway),
      'tests.read-endpoint': endpointUrl(c, gateway, '/prometheus'),
      'tests.tenant-id': t.tenant,
      'tests.write-read-series-test.num-series': t.numSeries,
      'tests.run-interval': t.runInterval,
      ...(auth
        ? { 'tests.basic-auth-user': `$(${auth.usernameEnv})`, 'tests.basic-auth-password': `$(${auth.passwordEnv})` }
        : {}),
    },
    env: auth?.env,
    runtimeConfig: false,
    gossip: false,
    objectStorage: false,
    terminationGracePeriodSeconds: 30,
  });
  // A client of the gateway: it syncs in the gateway's wave, after Mimir, like Alloy.
  const d = parts.deployment;
  d.metadata = { ...d.metadata, annotations: { ...d.metadata?.annotations, ...syncWave(syncWaves.edge) } };
  return parts;
}

/** Its tenant is one Mimir accepts. (Its addresses are flags: Mimir's flag check holds them to rendered Services.) */
export function continuousTestChecks(c: MimirStackConfig): Rule[] {
  const tenant: Rule = (ctx) => {
    const problem = tenantIdProblem(c.mimir.continuousTest.tenant);
    return problem
      ? [
          {
            source: ctx.source,
            path: 'config.mimir.continuousTest.tenant',
            message: `tenant "${c.mimir.continuousTest.tenant}" ${problem}`,
          },
        ]
      : [];
  };
  return [tenant];
}

/** Mimir's continuous test. */
export const continuousTestComponent = defineComponent({
  group: 'mimir',
  key: 'continuousTest',
  description: "Mimir's continuous test: writes and reads series through the gateway, exports its success metrics",
  config: 'mimir.continuousTest',
  enabled: (c: MimirStackConfig) => c.mimir.continuousTest.enabled,
  render: continuousTest,
  checks: continuousTestChecks,
});
