import type { MimirStackConfig } from './config.js';
import { statefulComponent, zonedStatefulComponent, type StatefulParts, type ZonedParts } from './common.js';
import { isZoneAware } from './zones.js';
import { targets } from './names.js';
import { defineComponent } from '../core/registry.js';
import { routesOf } from './routes.js';

/** Multi-tenant Alertmanager (UI and API under `/alertmanager`); state is replicated over its ring. */
export function alertmanager(c: MimirStackConfig): StatefulParts | ZonedParts {
  const spec = {
    name: targets.alertmanager,
    target: targets.alertmanager,
    settings: c.mimir.alertmanager,
    runtimeConfig: true,
    gossip: true,
    objectStorage: true,
    // Notification state is persisted to object storage on shutdown.
    terminationGracePeriodSeconds: 900,
  };
  return isZoneAware(c, 'alertmanager') ? zonedStatefulComponent(c, 'alertmanager', spec) : statefulComponent(c, spec);
}

/** Multi-tenant Alertmanager. */
export const alertmanagerComponent = defineComponent({
  group: 'mimir',
  key: 'alertmanager',
  description: 'Multi-tenant Alertmanager',
  config: 'mimir.alertmanager',
  enabled: (c: MimirStackConfig) => c.mimir.alertmanager.enabled,
  render: alertmanager,
  routes: routesOf.alertmanager,
});
