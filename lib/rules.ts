import type { StackConfig } from './config.js';
import { mimirRules } from './mimir/index.js';
import { mimirEdgeRules } from './mimir/edge-rules.js';
import { alloyRules } from './observability/alloy/index.js';
import { gatewayRules } from './observability/gateway/index.js';
import { grafanaRules } from './observability/grafana/index.js';
import { minioRules } from './observability/minio/index.js';
import type { Rule } from './validate/index.js';
import { serviceAddressesRule } from './validate/service-addresses.js';

/**
 * Checks that need the whole stack, run by the build after the per-object Kubernetes checks: every
 * in-cluster address in a config file names a rendered Service and port (a component rendered alone
 * would fail it), and each module's checks of its generated files — Mimir's config and flags against
 * its reference, the bucket Job's content-hashed name, nginx.conf, Grafana's data sources, Alloy's config.
 */
export function moduleRules(c: StackConfig): Rule[] {
  return [serviceAddressesRule, ...mimirRules(c), ...mimirEdgeRules(c), ...minioRules(c), ...gatewayRules(c), ...grafanaRules(c), ...alloyRules(c)];
}
