import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ObservabilityStackConfig } from '../config.js';
import generated from './dashboards.generated.json' with { type: 'json' };

/** A dashboard provisioned from a file: its name becomes the ConfigMap's and the file's name. */
export interface DashboardFile {
  /** DNS-label-safe name, e.g. `mimir-stack-health`. */
  name: string;
  dashboard: Dashboard;
}

/** The uid of Grafana's Mimir data source, which every panel queries. */
export const MIMIR_DATASOURCE_UID = 'mimir';

/** Stands for the namespace in the generated dashboards; a DNS label never contains it. */
export const NAMESPACE_PLACEHOLDER = 'MIMIR_KUBE_NAMESPACE';

/**
 * The stack's dashboards for a config: the generated ones (dashboards.ts built with the SDK, by
 * `npm run dashboards`) with the namespace filled in. A namespace is a DNS label, so it needs no
 * escaping inside the JSON text.
 */
export function dashboardFiles(c: Pick<ObservabilityStackConfig, 'namespace'>): DashboardFile[] {
  return JSON.parse(JSON.stringify(generated).replaceAll(NAMESPACE_PLACEHOLDER, c.namespace)) as DashboardFile[];
}
