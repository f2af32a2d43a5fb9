import { add, byName, defineEnvironment } from '../../lib/index.js';

/** Mimir's own nodes: a dedicated, tainted node pool. */
const mimirNodes = {
  nodeSelector: add({ 'node-pool': 'mimir' }),
  tolerations: add([{ key: 'dedicated', operator: 'Equal', value: 'mimir', effect: 'NoSchedule' }]),
};

/** Three zones, each pinned to one availability zone of the region by the nodes' zone label. */
const zones = ['a', 'b', 'c'].map((z) => ({ name: `zone-${z}`, topologyValue: `eu-west-1${z}` }));

/** The same override on the StatefulSet of every zone (tree keys `statefulSet-<zone>`). */
const onEveryZone = <T>(patch: T) => Object.fromEntries(zones.map((z) => [`statefulSet-${z.name}`, patch]));

/**
 * A production-shaped environment: replication factor 3, external S3 through a Secret the cluster
 * provides (no MinIO), ingesters and store-gateways in three zones behind the rollout-operator, spread
 * across nodes, PDBs, larger requests, basic auth at the gateway,
 * and overrides at object paths (node pool, tolerations, an annotation) to show the escape hatch.
 */
export default defineEnvironment({
  name: 'production',
  config: {
    // Created outside this repository (e.g. by External Secrets); the build checks every reference to them.
    existingSecrets: ['storage-credentials', 'grafana-admin', 'gateway-basic-auth', 'gateway-client-credentials'],
    storage: {
      endpoint: 's3.eu-west-1.amazonaws.com',
      insecure: false,
      region: 'eu-west-1',
      buckets: { blocks: 'acme-mimir-blocks', ruler: 'acme-mimir-ruler', alertmanager: 'acme-mimir-alertmanager' },
    },
    // Alloy writes the stack's own metrics into this tenant; Grafana's dashboards read it.
    selfMonitoring: { enabled: true, tenant: 'meta' },
    mimir: {
      // Classic write path. To switch to ingest storage (Mimir 3's preferred architecture) with an existing
      // Kafka, set architecture: 'ingest-storage' and
      //   ingestStorage: { kafka: { source: 'external', address: '<bootstrap host>:9092', partitions: 6,
      //     sasl: { secretName: 'kafka-credentials', usernameKey: 'username', passwordKey: 'password' } } }
      // and add 'kafka-credentials' to existingSecrets. The ruler is remote already, as ingest storage needs;
      // partitions must be at least the ingesters per zone (one here). On a running stack this is a
      // migration, not a flip: see README › Architectures, whose example of exactly this builds in the tests.
      spreadAcrossNodes: true,
      spreadAcrossZones: true,
      // One StatefulSet per zone for ingesters and store-gateways; replicas below are totals across zones.
      zoneAwareness: { zones },
      // Distributors, queriers, query-frontends and the rulers' pods follow the load (autoscaling below),
      // so they set no replicas here.
      ingester: { replicas: 3, storage: { size: '100Gi', storageClass: 'gp3' } },
      queryScheduler: { replicas: 2 },
      storeGateway: { replicas: 3, storage: { size: '50Gi', storageClass: 'gp3' } },
      compactor: { replicas: 1, storage: { size: '100Gi', storageClass: 'gp3' } },
      alertmanager: { replicas: 3 },
      ruler: { mode: 'remote', dedicatedReadPath: true },
      // KEDA ScaledObjects reading the stack's own metrics (tenant "meta") through its query-frontend.
      autoscaling: {
        engine: 'keda',
        distributor: { enabled: true, minReplicas: 3, maxReplicas: 30 },
        querier: { enabled: true, minReplicas: 3, maxReplicas: 20 },
        queryFrontend: { enabled: true, minReplicas: 2, maxReplicas: 6 },
        ruler: { enabled: true, minReplicas: 2, maxReplicas: 6 },
        rulerQuerier: { enabled: true, minReplicas: 2, maxReplicas: 10 },
        rulerQueryFrontend: { enabled: true, minReplicas: 2, maxReplicas: 4 },
      },
      // Writes and reads 1000 series through the gateway (with its client credentials) and counts failures.
      continuousTest: { enabled: true },
      // All four memcached caches; chunks and index spread over two pods each.
      caches: {
        chunks: { enabled: true, replicas: 2, memoryMiB: 4096 },
        index: { enabled: true, replicas: 2, memoryMiB: 2048 },
        metadata: { enabled: true },
        results: { enabled: true },
      },
      config: {
        blocks_storage: { tsdb: { retention_period: '24h' } },
        limits: { compactor_blocks_retention_period: '1y', max_global_series_per_user: 1500000 },
      },
      tenants: {
        'team-a': { ingestion_rate: 50000, max_global_series_per_user: 3000000 },
      },
    },
    observability: {
      minio: { enabled: false },
      gateway: {
        replicas: 2,
        exposure: 'ingress',
        ingress: { className: 'nginx', host: 'mimir.example.com' },
        basicAuth: { enabled: true },
      },
    },
    gitops: {
      repoURL: 'https://github.com/acme/mimir-deployments.git',
      targetRevision: 'main',
      project: 'observability',
    },
  },
  overrides: {
    mimir: {
      ingester: onEveryZone({ spec: { template: { spec: mimirNodes } } }),
      storeGateway: onEveryZone({ spec: { template: { spec: mimirNodes } } }),
      distributor: {
        deployment: {
          spec: {
            template: {
              metadata: { annotations: add({ 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' }) },
              spec: { containers: byName({ distributor: { env: byName({ GOMAXPROCS: { value: '2' } }) } }) },
            },
          },
        },
      },
    },
  },
});
