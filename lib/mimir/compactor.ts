import { stateful, type MimirStackConfig, type MimirStatefulComponentConfig } from './config.js';
import { statefulComponent, type StatefulParts } from './common.js';
import { targets } from './names.js';
import { defineComponent } from '../core/registry.js';
import { routesOf } from './routes.js';

export function defaultCompactorConfig(): MimirStatefulComponentConfig {
  return stateful(1, '500m', '1Gi', '20Gi');
}

/** Compacts blocks in object storage and applies retention; also receives block uploads. */
export function compactor(c: MimirStackConfig): StatefulParts {
  return statefulComponent(c, {
    name: targets.compactor,
    target: targets.compactor,
    settings: c.mimir.compactor,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    // A compaction interrupted midway is redone from scratch.
    terminationGracePeriodSeconds: 900,
  });
}

/** Compacts blocks and applies retention. */
export const compactorComponent = defineComponent({
  group: 'mimir',
  key: 'compactor',
  description: 'Compacts blocks and applies retention',
  config: 'mimir.compactor',
  enabled: () => true,
  render: compactor,
  routes: routesOf.compactor,
});
