import { stateful, type JsonObject, type MimirStackConfig, type MimirZonedComponentConfig } from './config.js';
import { statefulComponent, zonedStatefulComponent, type StatefulParts, type ZonedParts } from './common.js';
import { isZoneAware } from './zones.js';
import { targets } from './names.js';
import { defineComponent } from '../core/registry.js';
import { routesOf } from './routes.js';

export interface MimirAlertmanagerConfig extends MimirZonedComponentConfig {
  /** Run the multi-tenant Alertmanager (and point the ruler at it). */
  enabled: boolean;
  /** Alertmanager configuration used for tenants that have not uploaded their own (`alertmanager.fallback_config_file`). */
  fallbackConfig: JsonObject;
}

export function defaultAlertmanagerConfig(): MimirAlertmanagerConfig {
  return {
    ...stateful(3, '100m', '256Mi', '1Gi'),
    // Opt-in: its state is small and replicated anyway; zones add three StatefulSets for little gain.
    zoneAware: false,
    enabled: true,
    fallbackConfig: { receivers: [{ name: 'default-receiver' }], route: { receiver: 'default-receiver' } },
  };
}

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
