import type { MimirStackConfig } from './config.js';
import type { Route } from '../core/routes.js';
import { ports, targets } from './names.js';

type Target = (typeof targets)[keyof typeof targets];

function route(path: string, match: Route['match'], component: Target, description: string): Route {
  return { path, match, component, service: component, port: ports.http, description };
}

/** The routes each Mimir component serves to the outside world (Mimir's HTTP API, default prefixes `/prometheus` and `/alertmanager`). */
export const routesOf = {
  distributor: (): Route[] => [
    route('/api/v1/push', 'exact', targets.distributor, 'Prometheus remote write'),
    route('/otlp/v1/metrics', 'exact', targets.distributor, 'OTLP metrics ingestion'),
    route('/distributor', 'prefix', targets.distributor, 'distributor status pages (tenant stats, HA tracker)'),
    route('/ingester/ring', 'exact', targets.distributor, 'ingester ring status'),
  ],
  ruler: (): Route[] => [
    route('/prometheus/config/v1/rules', 'prefix', targets.ruler, 'ruler configuration API (rule groups)'),
    route('/prometheus/api/v1/rules', 'exact', targets.ruler, 'Prometheus rules API'),
    route('/prometheus/api/v1/alerts', 'exact', targets.ruler, 'Prometheus alerts API'),
    route('/ruler/ring', 'exact', targets.ruler, 'ruler ring status'),
  ],
  queryFrontend: (): Route[] => [
    route('/prometheus', 'prefix', targets.queryFrontend, 'Prometheus query API'),
    route('/api/v1/status/buildinfo', 'exact', targets.queryFrontend, 'build information'),
  ],
  alertmanager: (): Route[] => [
    route('/alertmanager', 'prefix', targets.alertmanager, 'Alertmanager UI and API'),
    route('/api/v1/alerts', 'exact', targets.alertmanager, 'Alertmanager configuration API'),
    route('/multitenant_alertmanager', 'prefix', targets.alertmanager, 'Alertmanager status, configs and ring'),
  ],
  storeGateway: (): Route[] => [
    route('/store-gateway/ring', 'exact', targets.storeGateway, 'store-gateway ring status'),
  ],
  compactor: (): Route[] => [
    route('/compactor/ring', 'exact', targets.compactor, 'compactor ring status'),
    route('/api/v1/upload/block/', 'prefix', targets.compactor, 'TSDB block upload'),
  ],
};

/**
 * Mimir's routes for a config, only for components that are rendered; the gateway gets the same list
 * from the registry (each component's descriptor), this is the Mimir-only view the tests use.
 */
export function mimirRoutes(c: MimirStackConfig): Route[] {
  const m = c.mimir;
  return [
    ...routesOf.distributor(),
    ...(m.ruler.enabled ? routesOf.ruler() : []),
    ...routesOf.queryFrontend(),
    ...(m.alertmanager.enabled ? routesOf.alertmanager() : []),
    ...routesOf.storeGateway(),
    ...routesOf.compactor(),
  ];
}
