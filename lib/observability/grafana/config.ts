// Replaced by the grafana module's real configuration.
export interface GrafanaConfig {
  enabled: boolean;
}
export function defaultGrafanaConfig(): GrafanaConfig {
  return { enabled: true };
}
