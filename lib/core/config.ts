import versions from './versions.json' with { type: 'json' };

/** Image pins live in one data file (`lib/core/versions.json`) so a bot can bump them. */
export type Images = { [K in keyof typeof versions]: string };

/** Object storage for blocks, rules and alertmanager state: the stack's MinIO by default, any S3 otherwise. */
export interface StorageConfig {
  /** S3 endpoint `host:port`; empty means the stack's own MinIO Service. */
  endpoint: string;
  /** Plain HTTP to the endpoint (the in-cluster MinIO has no TLS). */
  insecure: boolean;
  region: string;
  buckets: { blocks: string; ruler: string; alertmanager: string };
  /** Secret holding the S3 access key pair; Mimir reads it through environment variables. */
  credentials: { secretName: string; accessKeyIdKey: string; secretAccessKeyKey: string };
  /**
   * Render that Secret with a fixed, publicly known development credential. For local clusters only;
   * every other environment creates the Secret itself and lists it in `existingSecrets`.
   */
  developmentCredentials: boolean;
}

export interface GitOpsConfig {
  /** Repository Argo CD syncs from. */
  repoURL: string;
  targetRevision: string;
  /** Argo CD project. */
  project: string;
  /** Namespace the Argo CD Application object lives in. */
  argocdNamespace: string;
  /** Cluster API server URL the Application deploys to. */
  destinationServer: string;
  /** Automated sync with pruning and self-heal. */
  automated: boolean;
}

/**
 * The stack watching itself: Alloy writes every workload's metrics into a tenant of their own, Grafana
 * gets a data source for it and the stack's dashboards query it. Users' tenants never see these series,
 * and the stack's own load never counts against a user's limits.
 */
export interface SelfMonitoringConfig {
  /** Off: Alloy (when it runs) writes the stack's metrics into `defaultTenant`, as any client would. */
  enabled: boolean;
  /** The meta tenant: the `X-Scope-OrgID` of Alloy's remote write and of the self-monitoring data source. */
  tenant: string;
}

/**
 * The part of the config every group reads: namespace, cluster, images, storage, GitOps. Each group
 * adds its own slice (`mimir`, `observability`); `StackConfig` in `lib/build/config.ts` joins them.
 */
export interface SharedConfig {
  /** Namespace every namespaced object lives in. */
  namespace: string;
  /** DNS suffix of the cluster, used in every service address inside generated config files. */
  clusterDomain: string;
  /** Value of the `app.kubernetes.io/part-of` label on every object. */
  partOf: string;
  images: Images;
  /** Tenant used when a request carries no `X-Scope-OrgID` (gateway) and by the stack's own writers and readers. */
  defaultTenant: string;
  /** Secrets the environment provides itself (created outside this library); references to them are allowed. */
  existingSecrets: string[];
  storage: StorageConfig;
  gitops: GitOpsConfig;
  selfMonitoring: SelfMonitoringConfig;
}

/** Fully qualified in-cluster DNS name of a Service of the stack. */
export function serviceHost(c: SharedConfig, service: string): string {
  return `${service}.${c.namespace}.svc.${c.clusterDomain}`;
}

export function defaultSharedConfig(): SharedConfig {
  return {
    namespace: 'mimir',
    clusterDomain: 'cluster.local',
    partOf: 'mimir',
    images: { ...versions },
    defaultTenant: 'anonymous',
    existingSecrets: [],
    storage: {
      endpoint: '',
      insecure: true,
      region: 'us-east-1',
      buckets: { blocks: 'mimir-blocks', ruler: 'mimir-ruler', alertmanager: 'mimir-alertmanager' },
      credentials: {
        secretName: 'storage-credentials',
        accessKeyIdKey: 'access-key-id',
        secretAccessKeyKey: 'secret-access-key',
      },
      developmentCredentials: false,
    },
    gitops: {
      repoURL: 'https://github.com/example/mimir-deployments.git',
      targetRevision: 'main',
      project: 'default',
      argocdNamespace: 'argocd',
      destinationServer: 'https://kubernetes.default.svc',
      automated: true,
    },
    selfMonitoring: { enabled: true, tenant: 'meta' },
  };
}

/** The tenant the stack's own metrics live in: the meta tenant with self-monitoring on, else the default one. */
export function selfMonitoringTenant(c: Pick<SharedConfig, 'defaultTenant' | 'selfMonitoring'>): string {
  return c.selfMonitoring.enabled ? c.selfMonitoring.tenant : c.defaultTenant;
}
