import { stateful, type MimirStackConfig, type MimirZonedComponentConfig } from './config.js';
import { statefulComponent, zonedStatefulComponent, type StatefulParts, type ZonedParts } from './common.js';
import { isZoneAware } from './zones.js';
import { targets } from './names.js';
import { defineComponent } from '../core/registry.js';
import { routesOf } from './routes.js';

export function defaultStoreGatewayConfig(): MimirZonedComponentConfig {
  return { ...stateful(3, '500m', '1Gi', '10Gi'), zoneAware: 'auto' };
}

/** Serves queries for blocks in object storage; keeps index headers on its volume. */
export function storeGateway(c: MimirStackConfig): StatefulParts | ZonedParts {
  const spec = {
    name: targets.storeGateway,
    target: targets.storeGateway,
    settings: c.mimir.storeGateway,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    strictNodeSpread: true,
    terminationGracePeriodSeconds: 120,
  };
  return isZoneAware(c, 'storeGateway') ? zonedStatefulComponent(c, 'storeGateway', spec) : statefulComponent(c, spec);
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
