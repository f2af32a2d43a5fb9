/**
 * Autoscalers of the stateless components: a KEDA ScaledObject (tree key `scaledObject`) or, with
 * `engine: 'hpa'`, an `autoscaling/v2` HorizontalPodAutoscaler (`horizontalPodAutoscaler`) beside the
 * component's Deployment, which then carries no `spec.replicas`: whoever applies the output
 * (`kubectl apply`, Argo CD) never resets what the autoscaler chose.
 */
import type { MimirStackConfig } from '../config.js';
import type { Deployment, HorizontalPodAutoscaler, ScaledObject } from '../../core/k8s/types.js';
import { objectMeta } from '../../core/k8s/meta.js';
import { quantityValue } from '../../core/quantity.js';
import { syncWaves } from '../../core/k8s/waves.js';
import { endpointUrl } from '../../core/registry.js';
import { selfMonitoringTenant } from '../../core/config.js';
import { names, ports, targets } from '../names.js';
import { gossipMemberLabel } from '../common.js';
import type {
  AutoscaledComponent,
  AutoscalingRules,
  AutoscalingSignal,
  ComponentAutoscalingConfig,
  MimirAutoscalingConfig,
} from './config.js';

export * from './config.js';

/** What an autoscaled component adds to its parts. */
export interface AutoscalerParts {
  scaledObject?: ScaledObject;
  horizontalPodAutoscaler?: HorizontalPodAutoscaler;
}

/**
 * Mimir 3.0's default of `-querier.max-concurrent` (queries one querier runs at once); a test compares
 * it with the reference's defaults file, which a plain build does not load.
 */
export const querierMaxConcurrentDefault = 20;

/** The query-scheduler whose queue feeds each querier. */
export const schedulerOf: Readonly<Partial<Record<AutoscaledComponent, string>>> = {
  querier: targets.queryScheduler,
  rulerQuerier: names.rulerQueryScheduler,
};

/** Object name of each autoscalable component's Deployment. */
export const autoscaledNames: Readonly<Record<AutoscaledComponent, string>> = {
  distributor: targets.distributor,
  querier: targets.querier,
  queryFrontend: targets.queryFrontend,
  ruler: targets.ruler,
  rulerQuerier: names.rulerQuerier,
  rulerQueryFrontend: names.rulerQueryFrontend,
};

/** Dotted config path of each component's own settings (`replicas`, `resources`, `flags`). */
export const settingsPath: Readonly<Record<AutoscaledComponent, string>> = {
  distributor: 'mimir.distributor',
  querier: 'mimir.querier',
  queryFrontend: 'mimir.queryFrontend',
  ruler: 'mimir.ruler',
  rulerQuerier: 'mimir.ruler.readPath.querier',
  rulerQueryFrontend: 'mimir.ruler.readPath.queryFrontend',
};

export function settingsOf(c: MimirStackConfig, key: AutoscaledComponent) {
  const m = c.mimir;
  switch (key) {
    case 'rulerQuerier':
      return m.ruler.readPath.querier;
    case 'rulerQueryFrontend':
      return m.ruler.readPath.queryFrontend;
    default:
      return m[key];
  }
}

export function autoscalingOf(c: MimirStackConfig, key: AutoscaledComponent): ComponentAutoscalingConfig {
  return c.mimir.autoscaling[key];
}

/** The Prometheus API KEDA asks: the configured address, or the stack's own query-frontend. */
/** The tenant KEDA reads: the configured one, else where the stack's own metrics are written. */
export function metricsTenant(c: MimirStackConfig): string {
  return c.mimir.autoscaling.metricsTenant || selfMonitoringTenant(c);
}

export function prometheusAddress(c: MimirStackConfig): string {
  const a: MimirAutoscalingConfig = c.mimir.autoscaling;
  if (a.prometheusAddress) return a.prometheusAddress;
  return endpointUrl(c, { service: targets.queryFrontend, port: ports.http }, '/prometheus');
}

/** Queries one querier runs at once: its flag, else `querier.max_concurrent` in mimir.yaml, else Mimir's default. */
export function querierConcurrency(c: MimirStackConfig, key: AutoscaledComponent): number {
  const flag = settingsOf(c, key).flags['querier.max-concurrent'];
  if (flag !== undefined && flag !== null && Number.isInteger(Number(flag))) return Number(flag);
  const yaml = (c.mimir.config.querier as { max_concurrent?: unknown } | undefined)?.max_concurrent;
  if (typeof yaml === 'number') return yaml;
  return querierMaxConcurrentDefault;
}

function selector(namespace: string, container: string, extra = ''): string {
  return `{namespace="${namespace}",container="${container}"${extra}}`;
}

/**
 * Queries and thresholds in the Mimir jsonnet library's manner, over the series the stack's own
 * self-monitoring scrapes from each pod (labels `namespace`, `container`, `pod`). CPU: the per-pod rate
 * of the process' CPU seconds summed, its highest over 15 minutes (up fast, down slowly), in millicores
 * because KEDA thresholds are integers. Memory: the resident set, summed, its highest over 15 minutes.
 * Both count only pods whose scrape is up, since a terminated pod's last sample would linger for the
 * lookback period. In-flight queries: the scheduler's 75th percentile of queued plus running queries
 * over 5 minutes, against the querier's concurrency.
 */
export function signalQuery(
  c: MimirStackConfig,
  key: AutoscaledComponent,
  s: AutoscalingSignal,
): { query: string; threshold: number } {
  const container = autoscaledNames[key];
  const sel = selector(c.namespace, container);
  const up = `max by (pod) (up${sel}) > 0`;
  const requests = settingsOf(c, key).resources.requests;
  switch (s.signal) {
    case 'cpu':
      return {
        query: `max_over_time(sum(sum by (pod) (rate(process_cpu_seconds_total${sel}[5m])) and ${up})[15m:]) * 1000`,
        threshold: Math.floor((quantityValue(requests.cpu) * 1000 * s.target) / 100),
      };
    case 'memory':
      return {
        query: `max_over_time(sum(sum by (pod) (process_resident_memory_bytes${sel}) and ${up})[15m:])`,
        threshold: Math.floor((quantityValue(requests.memory) * s.target) / 100),
      };
    case 'inflightQueries': {
      const scheduler = schedulerOf[key] ?? targets.queryScheduler;
      const q = selector(c.namespace, scheduler, ',quantile="0.75"');
      return {
        query: `sum(max_over_time(cortex_query_scheduler_inflight_requests${q}[5m]))`,
        threshold: Math.floor((querierConcurrency(c, key) * s.target) / 100),
      };
    }
  }
}

function behavior(a: ComponentAutoscalingConfig) {
  const rules = (r: AutoscalingRules) => ({
    stabilizationWindowSeconds: r.stabilizationWindowSeconds,
    policies: r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
  });
  return { scaleDown: rules(a.scaleDown), ...(a.scaleUp ? { scaleUp: rules(a.scaleUp) } : {}) };
}

function meta(c: MimirStackConfig, d: Deployment) {
  // The workload's labels, but not the one the gossip Service selects pods by.
  const labels = Object.fromEntries(Object.entries(d.metadata?.labels ?? {}).filter(([k]) => k !== gossipMemberLabel));
  return objectMeta({
    name: d.metadata?.name ?? '',
    namespace: c.namespace,
    labels,
    annotations: { 'argocd.argoproj.io/sync-wave': syncWaves.mimir },
  });
}

/** The header KEDA sends with every query: the stack's Mimir is multi-tenant. */
export function tenantHeader(tenant: string): string {
  return `X-Scope-OrgID=${tenant}`;
}

export function scaledObject(c: MimirStackConfig, key: AutoscaledComponent, d: Deployment): ScaledObject {
  const a = autoscalingOf(c, key);
  const name = d.metadata?.name ?? '';
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: meta(c, d),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicaCount: a.minReplicas,
      maxReplicaCount: a.maxReplicas,
      // Only the step from zero is KEDA's own; above one replica the HPA it manages decides.
      pollingInterval: c.mimir.autoscaling.pollingInterval,
      advanced: { horizontalPodAutoscalerConfig: { behavior: behavior(a) } },
      triggers: a.signals.map((s) => {
        const { query, threshold } = signalQuery(c, key, s);
        return {
          // The trigger's name becomes the `scaler` label of KEDA's own metrics.
          name: `${name}-${s.signal.toLowerCase()}`,
          type: 'prometheus',
          metadata: {
            serverAddress: prometheusAddress(c),
            query,
            // The HPA's average value per pod: desired = ceil(query result / threshold).
            threshold: String(threshold),
            customHeaders: tenantHeader(metricsTenant(c)),
          },
        };
      }),
    },
  };
}

export function horizontalPodAutoscaler(
  c: MimirStackConfig,
  key: AutoscaledComponent,
  d: Deployment,
): HorizontalPodAutoscaler {
  const a = autoscalingOf(c, key);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(c, d),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata?.name ?? '' },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      // Only cpu and memory reach here: the config check refuses every other signal with this engine.
      metrics: a.signals
        .filter((s) => s.signal === 'cpu' || s.signal === 'memory')
        .map((s) => ({
          type: 'Resource',
          resource: { name: s.signal, target: { type: 'Utilization', averageUtilization: s.target } },
        })),
      behavior: behavior(a),
    },
  };
}

/**
 * The component's parts with its autoscaler when autoscaling is on for it: the ScaledObject or the
 * HorizontalPodAutoscaler added, `spec.replicas` removed from the Deployment.
 */
export function withAutoscaling<P extends { deployment: Deployment }>(
  c: MimirStackConfig,
  key: AutoscaledComponent,
  parts: P,
): P & AutoscalerParts {
  const a = autoscalingOf(c, key);
  if (!a.enabled) return parts;
  const deployment: Deployment = { ...parts.deployment, spec: { ...parts.deployment.spec! } };
  delete deployment.spec!.replicas;
  const scaler =
    c.mimir.autoscaling.engine === 'keda'
      ? { scaledObject: scaledObject(c, key, deployment) }
      : { horizontalPodAutoscaler: horizontalPodAutoscaler(c, key, deployment) };
  return { ...parts, deployment, ...scaler };
}
