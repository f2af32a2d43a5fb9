import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ObservabilityStackConfig } from '../config.js';
import generated from './dashboards.generated.json' with { type: 'json' };

/** A dashboard provisioned from a file: its name becomes the ConfigMap's and the file's name. */
export interface DashboardFile {
  /** DNS-label-safe name, e.g. `mimir-stack-health`. */
  name: string;
  dashboard: Dashboard;
}

/** The uid of Grafana's Mimir data source (the default tenant). */
export const MIMIR_DATASOURCE_UID = 'mimir';
/** The uid of the self-monitoring data source (the meta tenant), provisioned with self-monitoring on. */
export const SELF_MONITORING_DATASOURCE_UID = 'mimir-meta';

/** Stands for the namespace in the generated dashboards; a DNS label never contains it. */
export const NAMESPACE_PLACEHOLDER = 'MIMIR_KUBE_NAMESPACE';
/** Stands for the data source uid in the generated dashboards. */
export const DATASOURCE_PLACEHOLDER = 'MIMIR_KUBE_DATASOURCE';

/** The data source the stack's dashboards query: where Alloy writes the stack's metrics. */
export function dashboardDatasourceUid(c: Pick<ObservabilityStackConfig, 'selfMonitoring'>): string {
  return c.selfMonitoring.enabled ? SELF_MONITORING_DATASOURCE_UID : MIMIR_DATASOURCE_UID;
}

/** The Kafka dashboard's name (mimir-dashboards.ts, which a build does not load). */
const kafkaDashboard = 'mimir-kafka';

/** A dashboard's file as provisioned: its name and its JSON text. */
export interface DashboardText {
  name: string;
  json: string;
}

/**
 * The stack's dashboards for a config, as the text of their files: the generated ones (dashboards.ts
 * built with the SDK, by `npm run dashboards`) with the namespace and the data source filled in. The
 * generated file holds them in canonical JSON (keys sorted at every level), so plain `JSON.stringify`
 * gives the canonical text without sorting on every build. A namespace is a DNS label and a uid is one
 * of two constants, so neither needs escaping inside the JSON text. The Kafka dashboard only with
 * `kafka` (Alloy collects Kafka's metrics under ingest storage); it would stay empty otherwise.
 */
export function dashboardTexts(
  c: Pick<ObservabilityStackConfig, 'namespace' | 'selfMonitoring'>,
  collected: { kafka: boolean } = { kafka: false },
): DashboardText[] {
  const uid = dashboardDatasourceUid(c);
  const all: { name: string; dashboard: unknown }[] = generated;
  return all
    .filter((d) => d.name !== kafkaDashboard || collected.kafka)
    .map((d) => ({
      name: d.name,
      json: JSON.stringify(d.dashboard, null, 2)
        .replaceAll(NAMESPACE_PLACEHOLDER, c.namespace)
        .replaceAll(DATASOURCE_PLACEHOLDER, uid),
    }));
}

/** The same dashboards as objects. */
export function dashboardFiles(
  c: Pick<ObservabilityStackConfig, 'namespace' | 'selfMonitoring'>,
  collected: { kafka: boolean } = { kafka: false },
): DashboardFile[] {
  return dashboardTexts(c, collected).map((d) => ({ name: d.name, dashboard: JSON.parse(d.json) as Dashboard }));
}
