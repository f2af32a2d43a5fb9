import { component, type MimirComponentConfig, type MimirStackConfig } from './config.js';
import { headlessServiceFor } from '../core/k8s/service.js';
import type { Service } from '../core/k8s/types.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { portNames, schedulerDiscoveryService, targets } from './names.js';
import { defineComponent } from '../core/registry.js';

export function defaultQuerySchedulerConfig(): MimirComponentConfig {
  return component(2, '100m', '128Mi');
}

export interface QuerySchedulerParts extends StatelessParts {
  /** Headless Service that frontends and queriers resolve to reach every scheduler pod. */
  discoveryService: Service;
}

export function newQueryScheduler(
  c: MimirStackConfig,
  name: string,
  settings: MimirComponentConfig,
): QuerySchedulerParts {
  const parts = statelessComponent(c, {
    name,
    target: targets.queryScheduler,
    settings,
    runtimeConfig: true,
    gossip: false,
    objectStorage: false,
    terminationGracePeriodSeconds: 180,
  });
  // Not-ready schedulers are listed too: frontends and queriers must connect before a scheduler reports ready.
  const discoveryService = headlessServiceFor(parts.deployment, {
    name: schedulerDiscoveryService(name),
    portNames: [portNames.http, portNames.grpc],
    publishNotReadyAddresses: true,
  });
  return { ...parts, discoveryService };
}

/** Queues queries per tenant between query-frontends and queriers (found by DNS). */
export function queryScheduler(c: MimirStackConfig): QuerySchedulerParts {
  return newQueryScheduler(c, targets.queryScheduler, c.mimir.queryScheduler);
}

/** Queues queries between frontends and queriers. */
export const querySchedulerComponent = defineComponent({
  group: 'mimir',
  key: 'queryScheduler',
  description: 'Queues queries between frontends and queriers',
  config: 'mimir.queryScheduler',
  enabled: () => true,
  render: queryScheduler,
});
