import type { MimirStackConfig } from './config.js';
import { statefulComponent, type StatefulParts } from './common.js';
import { targets } from './names.js';
import { defineComponent } from '../core/registry.js';
import { routesOf } from './routes.js';

/** Serves queries for blocks in object storage; keeps index headers on its volume. */
export function storeGateway(c: MimirStackConfig): StatefulParts {
  return statefulComponent(c, {
    name: targets.storeGateway,
    target: targets.storeGateway,
    settings: c.mimir.storeGateway,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    strictNodeSpread: true,
    terminationGracePeriodSeconds: 120,
  });
}

/** Serves blocks from object storage to queriers. */
export const storeGatewayComponent = defineComponent({
  group: 'mimir',
  key: 'storeGateway',
  description: 'Serves blocks from object storage to queriers',
  config: 'mimir.storeGateway',
  enabled: () => true,
  render: storeGateway,
  routes: routesOf.storeGateway,
});
