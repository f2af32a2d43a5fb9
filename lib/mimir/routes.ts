import type { StackConfig } from '../core/config.js';
import type { Route } from '../core/routes.js';
import { ports, targets } from './names.js';

type Target = (typeof targets)[keyof typeof targets];

function route(path: string, match: Route['match'], component: Target, description: string): Route {
  return { path, match, component, service: component, port: ports.http, description };
}

/**
 * The HTTP routes Mimir's components serve to the outside world (Mimir's HTTP API, default prefixes
 * `/prometheus` and `/alertmanager`), only for components that are rendered. The gateway turns them
 * into locations; more specific paths come before the prefixes they sit under, though nginx picks the
 * longest prefix whatever the order.
 */
export function mimirRoutes(c: StackConfig): Route[] {
  const m = c.mimir;
  const out: Route[] = [
    route('/api/v1/push', 'exact', targets.distributor, 'Prometheus remote write'),
    route('/otlp/v1/metrics', 'exact', targets.distributor, 'OTLP metrics ingestion'),
    route('/distributor', 'prefix', targets.distributor, 'distributor status pages (tenant stats, HA tracker)'),
    route('/ingester/ring', 'exact', targets.distributor, 'ingester ring status'),
  ];
  if (m.ruler.enabled) {
    out.push(
      route('/prometheus/config/v1/rules', 'prefix', targets.ruler, 'ruler configuration API (rule groups)'),
      route('/prometheus/api/v1/rules', 'exact', targets.ruler, 'Prometheus rules API'),
      route('/prometheus/api/v1/alerts', 'exact', targets.ruler, 'Prometheus alerts API'),
      route('/ruler/ring', 'exact', targets.ruler, 'ruler ring status'),
    );
  }
  out.push(
    route('/prometheus', 'prefix', targets.queryFrontend, 'Prometheus query API'),
    route('/api/v1/status/buildinfo', 'exact', targets.queryFrontend, 'build information'),
  );
  if (m.alertmanager.enabled) {
    out.push(
      route('/alertmanager', 'prefix', targets.alertmanager, 'Alertmanager UI and API'),
      route('/api/v1/alerts', 'exact', targets.alertmanager, 'Alertmanager configuration API'),
      route('/multitenant_alertmanager', 'prefix', targets.alertmanager, 'Alertmanager status, configs and ring'),
    );
  }
  out.push(
    route('/store-gateway/ring', 'exact', targets.storeGateway, 'store-gateway ring status'),
    route('/compactor/ring', 'exact', targets.compactor, 'compactor ring status'),
    route('/api/v1/upload/block/', 'prefix', targets.compactor, 'TSDB block upload'),
  );
  return out;
}
