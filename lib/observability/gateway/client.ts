import type { ObservabilityStackConfig } from '../config.js';
import type { EnvSource } from '../../core/k8s/container.js';

/**
 * Env vars through which Grafana and Alloy receive the gateway's client credentials. Not `GF_`-prefixed:
 * Grafana reads every `GF_<SECTION>_<KEY>` variable as a setting.
 */
export const gatewayClientEnv = { username: 'MIMIR_GATEWAY_USERNAME', password: 'MIMIR_GATEWAY_PASSWORD' } as const;

/** Whether in-cluster clients must authenticate to the gateway. */
export function gatewayRequiresCredentials(c: ObservabilityStackConfig): boolean {
  const g = c.observability.gateway;
  return g.enabled && g.basicAuth.enabled;
}

/**
 * The env vars (from the client Secret) a pod that calls the gateway needs, or none when the gateway
 * asks for no credentials. The values never appear in a ConfigMap: config files only name the variables.
 */
export function gatewayClientEnvVars(c: ObservabilityStackConfig): Record<string, EnvSource> {
  if (!gatewayRequiresCredentials(c)) return {};
  const s = c.observability.gateway.basicAuth.client;
  return {
    [gatewayClientEnv.username]: { secret: s.secretName, key: s.usernameKey },
    [gatewayClientEnv.password]: { secret: s.secretName, key: s.passwordKey },
  };
}
