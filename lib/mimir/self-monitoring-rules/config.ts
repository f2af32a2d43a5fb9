import type { ComponentResources, JsonObject } from '../config.js';

/**
 * How long an alert's condition must hold before it fires, by alert name.
 * @TJS-type object
 * @TJS-additionalProperties {"type": "string"}
 */
export interface AlertPendingDurations {
  [alert: string]: string;
}

/** The stack's own alerting and recording rules, loaded for the self-monitoring tenant (`selfMonitoring.tenant`). */
export interface MimirSelfMonitoringRulesConfig {
  /**
   * Load the rules into the ruler and the alert routing into the alertmanager for the self-monitoring tenant,
   * through a Job that runs `mimirtool` after each change. Needs `selfMonitoring.enabled`; the rules need the
   * ruler, the routing the alertmanager.
   */
  enabled: boolean;
  /** Pending durations (`for`) by alert name, over the defaults, e.g. `{ "MimirKubeComponentDown": "5m" }`. */
  pendingFor: AlertPendingDurations;
  /**
   * The self-monitoring tenant's Alertmanager configuration (what `mimirtool alertmanager load` uploads):
   * receivers and routes. The default routes every alert to the receiver `self-monitoring`, which notifies
   * nobody until you give it an integration (e.g. `webhook_configs`, `slack_configs`).
   */
  alertmanagerConfig: JsonObject;
  /** Requests (and optional limits) of each of the Job's containers. */
  resources: ComponentResources;
}

export function defaultSelfMonitoringRulesConfig(): MimirSelfMonitoringRulesConfig {
  return {
    enabled: true,
    pendingFor: {},
    alertmanagerConfig: {
      route: {
        receiver: 'self-monitoring',
        group_by: ['alertname', 'cluster', 'namespace'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
        routes: [{ matchers: ['severity="critical"'], receiver: 'self-monitoring', repeat_interval: '1h' }],
      },
      receivers: [{ name: 'self-monitoring' }],
    },
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
  };
}
