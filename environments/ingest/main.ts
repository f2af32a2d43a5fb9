import { defineEnvironment } from '../../lib/index.js';

/** Small requests: everything together fits a 4-CPU / 8 GiB kind or k3d cluster with room to spare. */
const small = (cpu: string, memory: string, limit = '1Gi') => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});

/**
 * The ingest-storage architecture on a laptop: `local`'s stack, but distributors write to a bundled
 * single-node Kafka (KRaft) and the ingester consumes its partition from there; the ruler evaluates
 * remotely through the query-frontend, as ingest storage requires. Reads are strongly consistent, so a
 * sample written is in the next query's answer. Within `local`'s budget (2 CPU, 4 GiB of requests) with
 * the broker's 100m and 512 MiB on top of `local`'s components.
 */
export default defineEnvironment({
  name: 'ingest',
  config: {
    storage: { developmentCredentials: true },
    mimir: {
      architecture: 'ingest-storage',
      ingestStorage: {
        // One ingester owns partition 0; a second partition leaves room to scale to two without a new topic.
        kafka: { source: 'bundled', topic: 'mimir-ingest', partitions: 2 },
        readConsistency: 'strong',
      },
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
    },
    observability: {
      minio: { storageSize: '5Gi' },
      kafka: {
        enabled: true,
        storageSize: '5Gi',
        heap: '256m',
        resources: small('100m', '512Mi'),
      },
      gateway: { exposure: 'nodePort' },
      grafana: { developmentCredentials: true, anonymousAccess: true },
    },
  },
});
