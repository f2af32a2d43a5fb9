import { component, type MimirComponentConfig, type MimirStackConfig } from './config.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { targets } from './names.js';
import { defineComponent } from '../core/registry.js';
import { routesOf } from './routes.js';

export function defaultDistributorConfig(): MimirComponentConfig {
  return component(2, '500m', '512Mi');
}

/** Receives writes (remote write, OTLP) and forwards each series to its ingesters. */
export function distributor(c: MimirStackConfig): StatelessParts {
  return statelessComponent(c, {
    name: targets.distributor,
    target: targets.distributor,
    settings: c.mimir.distributor,
    runtimeConfig: true,
    gossip: true,
    objectStorage: false,
    // In-flight pushes finish; clients retry the rest against other replicas.
    terminationGracePeriodSeconds: 100,
  });
}

/** Receives writes (remote write, OTLP) and forwards them to ingesters. */
export const distributorComponent = defineComponent({
  group: 'mimir',
  key: 'distributor',
  description: 'Receives writes (remote write, OTLP) and forwards them to ingesters',
  config: 'mimir.distributor',
  enabled: () => true,
  render: distributor,
  routes: routesOf.distributor,
});
