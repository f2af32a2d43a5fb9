import type { ResourceSpec } from '../../core/k8s/container.js';

/** Grafana Alloy: scrapes the stack's own metrics and writes them to Mimir through the gateway. */
export interface AlloyConfig {
  enabled: boolean;
  resources: ResourceSpec;
  /** How often every target is scraped, e.g. `15s`; also Grafana's minimum query step for the Mimir data source. */
  scrapeInterval: string;
  /**
   * Value of the `cluster` label on every series Alloy writes; the Mimir mixin's dashboards and
   * alerts select by it.
   */
  clusterLabel: string;
}

export function defaultAlloyConfig(): AlloyConfig {
  return {
    enabled: true,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    scrapeInterval: '15s',
    clusterLabel: 'mimir',
  };
}
