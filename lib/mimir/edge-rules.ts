import type { StackConfig } from '../config.js';
import type { Rule } from '../validate/context.js';
import { mimirListenPortsRule } from './listen-ports.js';
import { s3EndpointRule } from './storage-endpoint.js';
import { runtimeTenantsRule } from './tenant-id.js';

/**
 * Checks of what Mimir itself would refuse at start-up or per request, beyond its configuration
 * reference: listen ports against the pod, tenant IDs of the runtime overrides, the S3 endpoint's form.
 */
export function mimirEdgeRules(c: StackConfig): Rule[] {
  return [mimirListenPortsRule(c), runtimeTenantsRule, s3EndpointRule];
}
