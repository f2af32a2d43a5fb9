import type { StackConfig } from './config.js';
import { mimirRules } from './mimir/index.js';
import { alloyRules } from './observability/alloy/index.js';
import { gatewayRules } from './observability/gateway/index.js';
import { grafanaRules } from './observability/grafana/index.js';
import { minioRules } from './observability/minio/index.js';
import type { Rule } from './validate/index.js';

/**
 * Checks of generated config files that each module contributes: Mimir's config and flags against its
 * reference, the bucket Job's content-hashed name, the gateway's nginx.conf, Grafana's data sources, Alloy's configuration.
 */
export function moduleRules(c: StackConfig): Rule[] {
  return [...mimirRules(c), ...minioRules(c), ...gatewayRules(c), ...grafanaRules(c), ...alloyRules(c)];
}
