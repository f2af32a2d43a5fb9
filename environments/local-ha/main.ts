import { defineEnvironment } from '../../lib/index.js';

/** Small requests, as in environments/local. */
const small = (cpu: string, memory: string, limit = '1Gi') => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});

/**
 * Zone failover on a laptop (kind or k3d): ingesters and store-gateways in three zones with replication
 * factor 3, so one zone's pods can be killed while writes and reads go on, and the four memcached caches. The zones are logical (no
 * node affinity): a one-node cluster runs all three. Everything else as in environments/local.
 * Requests stay within 3 CPU and 6 GiB (`test/local-budget.test.ts`).
 */
export default defineEnvironment({
  name: 'local-ha',
  config: {
    storage: { developmentCredentials: true },
    mimir: {
      fastStartup: true,
      zoneAwareness: {
        zones: [
          { name: 'zone-a', topologyValue: '' },
          { name: 'zone-b', topologyValue: '' },
          { name: 'zone-c', topologyValue: '' },
        ],
      },
      distributor: { replicas: 1, resources: small('100m', '128Mi') },
      // Three in all, one per zone: replication factor 3, and a write still has its quorum of 2 when a zone is down.
      ingester: { replicas: 3, resources: small('150m', '384Mi', '2Gi'), storage: { size: '5Gi' } },
      querier: { replicas: 1, resources: small('100m', '192Mi') },
      queryFrontend: { replicas: 1, resources: small('50m', '96Mi') },
      queryScheduler: { replicas: 1, resources: small('50m', '64Mi', '256Mi') },
      storeGateway: { replicas: 3, resources: small('50m', '128Mi'), storage: { size: '2Gi' } },
      compactor: { replicas: 1, resources: small('50m', '128Mi'), storage: { size: '2Gi' } },
      alertmanager: { replicas: 1, resources: small('50m', '64Mi', '256Mi'), storage: { size: '1Gi' } },
      overridesExporter: { replicas: 1, resources: small('20m', '64Mi', '256Mi') },
      ruler: { replicas: 1, mode: 'remote', resources: small('50m', '128Mi') },
      rolloutOperator: { resources: small('20m', '64Mi', '200Mi') },
      // The four caches, small: enough to watch queries hit them on a laptop.
      caches: {
        chunks: { enabled: true, memoryMiB: 64, cpu: '20m', connectionLimit: 1024 },
        index: { enabled: true, memoryMiB: 64, cpu: '20m', connectionLimit: 1024 },
        metadata: { enabled: true, memoryMiB: 32, cpu: '20m', connectionLimit: 1024 },
        results: { enabled: true, memoryMiB: 32, cpu: '20m', connectionLimit: 1024 },
      },
    },
    observability: {
      minio: { storageSize: '5Gi' },
      gateway: { exposure: 'nodePort' },
      grafana: { developmentCredentials: true, anonymousAccess: true },
    },
  },
});
