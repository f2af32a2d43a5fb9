import type { Rule } from '../core/checks/context.js';
import type { StackConfig } from './config.js';
import { components, stackView } from './registry.js';
import { serviceAddressesRule } from './validate/service-addresses.js';

/**
 * Checks that need the whole stack, run by the build after the per-object Kubernetes checks: every
 * in-cluster address in a config file names a rendered Service and port (a component rendered alone
 * would fail it), and each rendered component's checks of its generated files (its descriptor's
 * `checks`) — Mimir's config and flags against its reference, the bucket Job's content-hashed name,
 * nginx.conf, Grafana's data sources, Alloy's config.
 */
export function moduleRules(c: StackConfig): Rule[] {
  const stack = stackView(c);
  return [serviceAddressesRule, ...components.filter((d) => d.enabled(c)).flatMap((d) => d.checks?.(c, stack) ?? [])];
}
