import { defineEnvironment } from '../../lib/index.js';

/** Small requests: everything together fits a 4-CPU / 8 GiB kind or k3d cluster with room to spare. */
const small = (cpu: string, memory: string, limit = '1Gi') => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});

/**
 * The whole stack on a laptop (kind or k3d): every component once, replication factor 1, short ring
 * waits so the first query works soon after the pods start, MinIO and Grafana with development
 * credentials, the gateway on host port 8080 (NodePort 30080, mapped by examples/kind-config.yaml).
 */
export default defineEnvironment({
  name: 'local',
  config: {
    storage: { developmentCredentials: true },
    // The stack's own metrics in tenant "meta", with dashboards on it: no extra pod, so no extra requests.
    selfMonitoring: { enabled: true, tenant: 'meta' },
    mimir: {
      fastStartup: true,
      distributor: { replicas: 1, resources: small('100m', '128Mi') },
      ingester: { replicas: 1, resources: small('150m', '384Mi', '2Gi'), storage: { size: '5Gi' } },
      querier: { replicas: 1, resources: small('100m', '192Mi') },
      queryFrontend: { replicas: 1, resources: small('50m', '96Mi') },
      queryScheduler: { replicas: 1, resources: small('50m', '64Mi', '256Mi') },
      storeGateway: { replicas: 1, resources: small('50m', '128Mi'), storage: { size: '2Gi' } },
      compactor: { replicas: 1, resources: small('50m', '128Mi'), storage: { size: '2Gi' } },
      alertmanager: { replicas: 1, resources: small('50m', '64Mi', '256Mi'), storage: { size: '1Gi' } },
      overridesExporter: { replicas: 1, resources: small('20m', '64Mi', '256Mi') },
      ruler: { replicas: 1, mode: 'remote', resources: small('50m', '128Mi') },
      continuousTest: { enabled: true, replicas: 1, numSeries: 100, resources: small('10m', '32Mi', '128Mi') },
    },
    observability: {
      minio: { storageSize: '5Gi' },
      gateway: { exposure: 'nodePort' },
      grafana: { developmentCredentials: true, anonymousAccess: true },
    },
  },
});
