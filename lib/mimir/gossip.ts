import type { MimirStackConfig } from './config.js';
import { defineComponent } from '../core/registry.js';
import { labelKeys, objectMeta } from '../core/k8s/meta.js';
import type { Service } from '../core/k8s/types.js';
import { gossipMemberLabel, mimirApp } from './common.js';
import { names, portNames, ports } from './names.js';

/**
 * Headless Service over every memberlist member, the seed list of `memberlist.join_members`. Pods are
 * listed before they are ready because readiness itself waits for the rings they learn by gossip.
 */
export function gossipRingService(c: MimirStackConfig): Service {
  const selector = { [labelKeys.name]: mimirApp, [labelKeys.partOf]: c.partOf, [gossipMemberLabel]: 'true' };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta({
      name: names.gossipRing,
      namespace: c.namespace,
      labels: { [labelKeys.name]: mimirApp, [labelKeys.component]: names.gossipRing, [labelKeys.partOf]: c.partOf },
    }),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector,
      ports: [{ name: portNames.gossip, port: ports.gossip, targetPort: portNames.gossip, protocol: 'TCP' }],
    },
  };
}

/** The memberlist seed Service every ring member joins through. */
export const gossipComponent = defineComponent({
  group: 'mimir',
  key: 'gossip',
  description: 'Headless `gossip-ring` Service: the memberlist seeds',
  config: 'mimir',
  enabled: () => true,
  render: (c: MimirStackConfig) => ({ service: gossipRingService(c) }),
});
