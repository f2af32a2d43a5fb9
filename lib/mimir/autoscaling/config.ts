/**
 * Autoscaling of the stateless Mimir components that follow the load: distributors, queriers,
 * query-frontends, rulers and the ruler's own querier and query-frontend. KEDA ScaledObjects read the
 * signals from the stack's own Mimir (a meta tenant); where KEDA is absent a plain HorizontalPodAutoscaler
 * scales on CPU and memory, the only signals the Kubernetes resource metrics API offers.
 */

/** The components that can be autoscaled, by tree key. */
export const autoscaledComponents = [
  'distributor',
  'querier',
  'queryFrontend',
  'ruler',
  'rulerQuerier',
  'rulerQueryFrontend',
] as const;
export type AutoscaledComponent = (typeof autoscaledComponents)[number];

/**
 * What a component scales on:
 * - `cpu`, `memory`: usage against the container's request (`target` is a percentage of the request);
 * - `inflightQueries`: queued plus running queries of the query-scheduler feeding the querier
 *   (`target` is a percentage of the querier's `-querier.max-concurrent`); KEDA only.
 */
export type AutoscalingSignalName = 'cpu' | 'memory' | 'inflightQueries';

export interface AutoscalingSignal {
  signal: AutoscalingSignalName;
  /**
   * Percentage of the request (cpu, memory) or of the querier's concurrency (inflightQueries) each pod
   * should run at; lower leaves headroom for bursts.
   * @TJS-type integer
   * @minimum 1
   */
  target: number;
}

/** One rule of the HPA's scaling behaviour, as `autoscaling/v2` spells it. */
export interface AutoscalingPolicy {
  type: 'Percent' | 'Pods';
  /**
   * @TJS-type integer
   * @minimum 1
   */
  value: number;
  /**
   * @TJS-type integer
   * @minimum 1
   * @maximum 1800
   */
  periodSeconds: number;
}

export interface AutoscalingRules {
  /**
   * Seconds of past recommendations the autoscaler takes the most conservative of.
   * @TJS-type integer
   * @minimum 0
   * @maximum 3600
   */
  stabilizationWindowSeconds: number;
  /** At most this much change per period (the HPA takes the most permissive policy). */
  policies: AutoscalingPolicy[];
}

export interface ComponentAutoscalingConfig {
  /** Scale this component; its Deployment then carries no `spec.replicas` (set none in config either). */
  enabled: boolean;
  /**
   * @TJS-type integer
   * @minimum 1
   */
  minReplicas: number;
  /**
   * @TJS-type integer
   * @minimum 1
   */
  maxReplicas: number;
  /** What it scales on; a list replaces the default list. */
  signals: AutoscalingSignal[];
  /** How fast it shrinks: slowly, so a short lull does not drop capacity a returning peak needs. */
  scaleDown: AutoscalingRules;
  /** How fast it grows; unset: Kubernetes' default (double or +4 pods every 15 s, no window). */
  scaleUp?: AutoscalingRules;
}

export interface MimirAutoscalingConfig {
  /**
   * `keda`: KEDA ScaledObjects (KEDA must run in the cluster), every signal available.
   * `hpa`: `autoscaling/v2` HorizontalPodAutoscalers on the resource metrics API (metrics-server), cpu and memory only.
   */
  engine: 'keda' | 'hpa';
  /**
   * Tenant KEDA queries (sent as `X-Scope-OrgID`); empty: the one Alloy writes the stack's own metrics into
   * (`selfMonitoring.tenant`, or `defaultTenant` with self-monitoring off).
   */
  metricsTenant: string;
  /**
   * Prometheus API KEDA queries; empty: the stack's own query-frontend,
   * `http://query-frontend.<namespace>.svc.<clusterDomain>:8080/prometheus`. Must name a rendered Service.
   */
  prometheusAddress: string;
  /**
   * Seconds between KEDA's queries.
   * @TJS-type integer
   * @minimum 1
   */
  pollingInterval: number;
  distributor: ComponentAutoscalingConfig;
  querier: ComponentAutoscalingConfig;
  queryFrontend: ComponentAutoscalingConfig;
  ruler: ComponentAutoscalingConfig;
  /** The ruler's own querier (remote ruler with `dedicatedReadPath`). */
  rulerQuerier: ComponentAutoscalingConfig;
  /** The ruler's own query-frontend (remote ruler with `dedicatedReadPath`). */
  rulerQueryFrontend: ComponentAutoscalingConfig;
}

/** Shrink by at most 10 % of the pods per period, after five minutes of lower recommendations. */
function scaleDown(periodSeconds: number): AutoscalingRules {
  return { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 10, periodSeconds }] };
}

function off(signals: AutoscalingSignal[], periodSeconds = 60): ComponentAutoscalingConfig {
  return { enabled: false, minReplicas: 2, maxReplicas: 10, signals, scaleDown: scaleDown(periodSeconds) };
}

const resources = (cpu: number, memory: number): AutoscalingSignal[] => [
  { signal: 'cpu', target: cpu },
  { signal: 'memory', target: memory },
];

/**
 * Every component off. The targets follow the Mimir jsonnet library: 75 % of the querier's concurrency
 * at the 75th percentile of in-flight queries (a quarter left for peaks), query-frontends at 75 % CPU
 * (their CPU is spiky), the rest at their requests; rulers shrink every 10 minutes at most, because a
 * ruler leaving moves rule groups and a flapping ruler set can skip evaluations.
 */
export function defaultAutoscalingConfig(): MimirAutoscalingConfig {
  return {
    engine: 'keda',
    metricsTenant: '',
    prometheusAddress: '',
    pollingInterval: 10,
    distributor: off(resources(100, 100)),
    querier: off([{ signal: 'inflightQueries', target: 75 }]),
    queryFrontend: off(resources(75, 100)),
    ruler: off(resources(100, 100), 600),
    rulerQuerier: off([{ signal: 'inflightQueries', target: 75 }]),
    rulerQueryFrontend: off(resources(100, 100)),
  };
}
